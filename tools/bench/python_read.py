#!/usr/bin/env python3
"""How long the Python package takes to open an index and read all its hero tokens, in-process.

    python3 tools/bench/python_read.py INDEX.phb [--runs 21]

Each run is a fresh interpreter (so the mapping, its page faults and the first-use checks
are paid every time, as a user's script pays them); the clock starts after the imports
(numpy, xxhash, proteus_index: `python -X importtime` territory) and stops when

- ``open``: the header, versions, section table and META are checked and the file is mapped;
- ``tokens``: every hero token id has been read (copied out of the mapping);
- ``positions``: the spans are checksummed and checked, and every hero's position computed.

Prints the median, fastest and slowest of each, in milliseconds, and the index's size.
The page cache is warm (the file was just written or read); nothing is dropped.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "python" / "src"

CHILD = r"""
import sys, time, json
sys.path.insert(0, sys.argv[2])
import numpy, xxhash, proteus_index
t0 = time.perf_counter()
index = proteus_index.open(sys.argv[1])
t1 = time.perf_counter()
tokens = numpy.array(index.tokens)          # a copy: every page of HTOK is read
t2 = time.perf_counter()
positions = index.positions                 # spans checked, positions computed
t3 = time.perf_counter()
print(json.dumps({"open": t1 - t0, "tokens": t2 - t0, "positions": t3 - t0, "heroes": int(tokens.size),
                  "check": int(tokens.sum()) + int(positions[-1])}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index")
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    runs = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", CHILD, args.index, str(SOURCE)], capture_output=True, text=True,
                             check=True).stdout
        runs.append(json.loads(out))
    print(f"{args.index}: {os.path.getsize(args.index):,} bytes, {runs[0]['heroes']:,} hero tokens, "
          f"{args.runs} fresh interpreters (imports not timed)")
    for key, what in [("open", "open (header, table, META, mmap)"),
                      ("tokens", "open + read every hero token"),
                      ("positions", "open + tokens + spans checked + positions")]:
        ms = sorted(1e3 * r[key] for r in runs)
        print(f"  {what:44s} median {statistics.median(ms):6.2f} ms   min {ms[0]:6.2f}   max {ms[-1]:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
