"""The machine's own limits for reading the same tokens: a plain scan by the binary (when it
has `scan`), `cat FILE > /dev/null` as the floor, and decompressing the tokens compressed by
the real `zstd` / `lz4` CLIs. Every figure is a wall-clock time of one run."""
from __future__ import annotations

import os
import shutil
import subprocess
import time

import binary as cli


def _timed_shell(cmd: str) -> float:
    t0 = time.perf_counter()
    subprocess.run(["bash", "-c", cmd], check=True)
    return time.perf_counter() - t0


def machine_limits(path: str, tokens: int, binary: str | None, has_scan: bool, scratch: str) -> dict:
    out: dict = {"tokens": tokens, "bytes": os.path.getsize(path)}
    _timed_shell(f"cat '{path}' > /dev/null")  # warm the page cache so every reader sees the same state
    out["cat_seconds"] = _timed_shell(f"cat '{path}' > /dev/null")
    if binary and has_scan:
        try:
            out["scan"] = cli.scan(binary, path)
        except RuntimeError as e:
            out["scan_error"] = str(e).splitlines()[0]
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
