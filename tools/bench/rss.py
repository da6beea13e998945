#!/usr/bin/env python3
"""Runs one command under `/usr/bin/time -v` and prints, on one line of JSON, its wall time,
its peak RSS (time's "Maximum resident set size", which counts mapped file pages still
resident) and its peak anonymous RSS (heap and other private memory: `RssAnon` of
/proc/PID/status, sampled every 5 ms while it runs, so a peak shorter than that can be missed).

  rss.py COMMAND [ARG...]

Output: {"seconds": S, "peak_kib": K, "peak_anon_kib": A, "status": CODE}. The command's own
output goes to /dev/null; a non-zero exit is reported, not hidden.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time


def child_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = f.read().split()
        return int(kids[0]) if kids else None
    except OSError:
        return None


def anon_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            m = re.search(r"^RssAnon:\s+(\d+) kB", f.read(), re.M)
        return int(m.group(1)) if m else 0
    except OSError:
        return 0


def main(argv):
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        start = time.monotonic()
        p = subprocess.Popen(["/usr/bin/time", "-v", "-o", report.name] + argv[1:],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        child, peak_anon = None, 0
        while p.poll() is None:
            child = child or child_of(p.pid)
            if child:
                peak_anon = max(peak_anon, anon_kib(child))
            time.sleep(0.005)
        seconds = time.monotonic() - start
        text = report.read()
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    status = re.search(r"Exit status: (\d+)", text)
    print(json.dumps({"seconds": round(seconds, 3), "peak_kib": int(peak.group(1)) if peak else 0,
                      "peak_anon_kib": peak_anon, "status": int(status.group(1)) if status else p.returncode}))


if __name__ == "__main__":
    main(sys.argv)
