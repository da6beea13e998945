#!/usr/bin/env python3
"""Writes a Megatron indexed dataset (PREFIX.bin + PREFIX.idx, MMIDIDX version 1) of many
short documents, one sequence each, for the document-table memory benchmark.

  make_megatron.py PREFIX DOCUMENTS [--dtype uint16|int32] [--min 8] [--max 40] [--seed 0]

Document lengths are drawn uniformly from [min, max] and ids uniformly below 100,256
(cl100k_base's vocabulary) from numpy's seeded generator, in blocks of 1M documents so the
generator's own memory stays small. The layout is megatron-core's `_IndexWriter`: a 34-byte
header, int32 sequence lengths, int64 sequence pointers (byte offsets into the .bin), int64
document indices 0..documents.
"""
import argparse
import struct

import numpy as np

DTYPES = {"uint16": (8, np.uint16, 65_535), "int32": (4, np.int32, 100_256)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("prefix")
    ap.add_argument("documents", type=int)
    ap.add_argument("--dtype", choices=sorted(DTYPES), default="int32")
    ap.add_argument("--min", type=int, default=8)
    ap.add_argument("--max", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    code, dtype, high = DTYPES[a.dtype]
    width = np.dtype(dtype).itemsize
    rng = np.random.default_rng(a.seed)
    n = a.documents
    block = 1 << 20
    lengths = np.empty(n, dtype=np.int32)
    with open(a.prefix + ".bin", "wb") as binf:
        for lo in range(0, n, block):
            hi = min(n, lo + block)
            ls = rng.integers(a.min, a.max + 1, size=hi - lo, dtype=np.int32)
            lengths[lo:hi] = ls
            rng.integers(0, high, size=int(ls.sum()), dtype=np.int64).astype(dtype).tofile(binf)
    with open(a.prefix + ".idx", "wb") as idx:
        idx.write(b"MMIDIDX\x00\x00" + struct.pack("<Q", 1) + struct.pack("<B", code))
        idx.write(struct.pack("<Q", n) + struct.pack("<Q", n + 1))
        lengths.tofile(idx)
        pointers = np.zeros(n, dtype=np.int64)
        np.cumsum(lengths[:-1].astype(np.int64) * width, out=pointers[1:])
        pointers.tofile(idx)
        np.arange(n + 1, dtype=np.int64).tofile(idx)
    print(f"{a.prefix}: {n} documents, {int(lengths.sum(dtype=np.int64))} tokens ({a.dtype})")


if __name__ == "__main__":
    main()
