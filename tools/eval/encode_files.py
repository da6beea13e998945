#!/usr/bin/env python3
"""Text files (plain or .gz) as one raw u32 cl100k token file, for natural.py on text of another
kind than corpus.py's prose: code, logs, changelogs. Files in sorted order, each followed by a
blank line, encoded as they are (nothing stripped, nothing deduplicated).

  python3 tools/eval/encode_files.py $PROTEUS_EVAL_DATA/glibc.u32 /usr/share/doc/glibc-doc/ChangeLog*.gz
  python3 tools/eval/encode_files.py $PROTEUS_EVAL_DATA/pystd.u32 $(find /usr/lib/python3.11 -name '*.py' -not -path '*/test/*' -not -path '*/site-packages/*')
"""
from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import generate  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="the u32 token file written")
    ap.add_argument("files", nargs="+", help="text files, .gz ones decompressed")
    ap.add_argument("--tokenizer", default=str(generate.DEFAULT_RANKS))
    args = ap.parse_args()
    enc = generate.load_encoding(args.tokenizer)
    # Each file's tokens go out as they are encoded (memory holds one file, not the corpus),
    # to a temporary file renamed at the end, so a failure leaves nothing behind.
    out = Path(args.out)
    partial = out.with_name(out.name + ".partial")
    count = 0
    try:
        with open(partial, "wb") as f:
            for name in sorted(args.files):
                try:
                    raw = (gzip.open(name) if name.endswith(".gz") else open(name, "rb")).read()
                except OSError as e:
                    print(f"encode_files.py: {name}: {e.strerror or e}", file=sys.stderr)
                    return 1
                ids = enc.encode_ordinary(raw.decode("utf-8", "replace") + "\n\n")
                np.asarray(ids, dtype="<u4").tofile(f)
                count += len(ids)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    print(f"{args.out}: {count:,} tokens from {len(args.files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
