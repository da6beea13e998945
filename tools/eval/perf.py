"""The machine's own limits for reading the same tokens: a plain scan by the binary (when it
has `scan`), `cat FILE > /dev/null` as the floor, and decompressing the tokens compressed by
the real `zstd` / `lz4` CLIs. Every figure is a wall-clock time of one run."""
from __future__ import annotations

import os
import shutil
import subprocess
import time

import numpy as np

import binary as cli


def _timed_shell(cmd: str) -> float:
    t0 = time.perf_counter()
    subprocess.run(["bash", "-c", cmd], check=True)
    return time.perf_counter() - t0


def wrapping_sum(path: str, block: int = 1 << 24) -> int:
    """Sum of all u32 tokens modulo 2^64: what `scan` must print as its sum."""
    t = np.memmap(path, dtype="<u4", mode="r")
    total = 0
    for s in range(0, len(t), block):
        total += int(np.asarray(t[s:s + block]).sum(dtype=np.uint64))
    return total % (1 << 64)


def machine_limits(path: str, tokens: int, binary: str | None, has_scan: bool, scratch: str, threads: int = 1) -> dict:
    out: dict = {"tokens": tokens, "bytes": os.path.getsize(path)}
    _timed_shell(f"cat '{path}' > /dev/null")  # warm the page cache so every reader sees the same state
    out["cat_seconds"] = _timed_shell(f"cat '{path}' > /dev/null")
    if binary and has_scan:
        want = wrapping_sum(path)
        for key, extra in (("scan", ("--threads", str(threads))), ("scan_plain", ("--plain",))):
            try:
                out[key] = cli.scan(binary, path, *extra)
                out[key]["sum_matches_numpy"] = out[key].get("sum") == want and out[key].get("tokens") == tokens
            except (RuntimeError, ValueError) as e:
                out[key + "_error"] = str(e).splitlines()[0]
    for tool, comp, ext in (("zstd", "zstd -q -f -T0 -3 '{src}' -o '{dst}'", "zst"), ("lz4", "lz4 -q -f '{src}' '{dst}'", "lz4")):
        if shutil.which(tool) is None:
            out[f"{tool}_error"] = f"{tool} not installed"
            continue
        packed = os.path.join(scratch, os.path.basename(path) + "." + ext)
        subprocess.run(["bash", "-c", comp.format(src=path, dst=packed)], check=True)
        out[f"{tool}_bytes"] = os.path.getsize(packed)
        out[f"{tool}_dc_seconds"] = _timed_shell(f"{tool} -dc '{packed}' > /dev/null")
        os.remove(packed)
    return out
