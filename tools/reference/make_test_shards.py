#!/usr/bin/env python3
"""Writes token files the way the real tools do, for proteus-index's format tests.

  make_test_shards.py llmc VERSION COUNT SEED OUT         llm.c dev/data/data_common.py write_datafile
  make_test_shards.py raw DTYPE COUNT SEED OUT             nanoGPT prepare.py (np.memmap / tofile)
  make_test_shards.py view DTYPE OFFSET PATH              numpy's view of a file: one id per line

Megatron datasets are written by megatron-core itself: see megatron_datasets.py.
Token values come from numpy's seeded generator and are printed (one per line) so the
Swift test compares its reading with numpy's.
"""
import sys

import numpy as np


def tokens(dtype, count, seed):
    high = 50257 if np.dtype(dtype).itemsize == 2 else 128256
    if np.dtype(dtype) == np.uint8:
        high = 256
    return np.random.default_rng(seed).integers(0, high, size=count).astype(dtype)


def llmc(version, count, seed, out):
    # llm.c write_datafile: 256 int32 header, magic/version/count, then the tokens.
    magic, dtype = {1: (20240520, np.uint16), 7: (20240801, np.uint32)}[version]
    toks = tokens(dtype, count, seed)
    header = np.zeros(256, dtype=np.int32)
    header[0], header[1], header[2] = magic, version, len(toks)
    with open(out, "wb") as f:
        f.write(header.tobytes())
        f.write(toks.tobytes())
    return toks


def main(argv):
    kind = argv[1]
    if kind == "llmc":
        toks = llmc(int(argv[2]), int(argv[3]), int(argv[4]), argv[5])
    elif kind == "raw":
        toks = tokens(np.dtype(argv[2]), int(argv[3]), int(argv[4]))
        toks.tofile(argv[5])
    elif kind == "view":
        toks = np.fromfile(argv[4], dtype=np.dtype(argv[2]).newbyteorder("<"), offset=int(argv[3]))
    else:
        raise SystemExit("unknown kind " + kind)
    sys.stdout.write("".join(f"{int(t)}\n" for t in toks))


if __name__ == "__main__":
    main(sys.argv)
