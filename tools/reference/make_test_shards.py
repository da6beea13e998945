#!/usr/bin/env python3
"""Writes token files the way the real tools do, for proteus-index's format tests.

  make_test_shards.py llmc VERSION COUNT SEED OUT         llm.c dev/data/data_common.py write_datafile
  make_test_shards.py megatron DTYPE SEED OUT_PREFIX DOCS  Megatron-LM _IndexWriter / IndexedDatasetBuilder
  make_test_shards.py raw DTYPE COUNT SEED OUT             nanoGPT prepare.py (np.memmap / tofile)
  make_test_shards.py view DTYPE OFFSET PATH              numpy's view of a file: one id per line

DOCS is a comma-separated list of documents, each a '+'-separated list of sequence lengths
("3+5,0,7" = a document of two sequences, an empty document, a one-sequence document).
Token values come from numpy's seeded generator and are printed (one per line) so the
Swift test compares its reading with numpy's.
"""
import struct
import sys

import numpy as np

MEGATRON_CODES = {"uint8": 1, "int8": 2, "int16": 3, "int32": 4, "int64": 5,
                  "float64": 6, "float32": 7, "uint16": 8}


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


def megatron(dtype_name, seed, prefix, docs):
    # Megatron's builder: add_item appends a sequence to .bin and its length; end_document
    # appends len(sequence_lengths) to document_indices, which starts as [0].
    dtype = np.dtype(dtype_name)
    rng_seed = seed
    lengths, document_indices, chunks = [], [0], []
    for doc in docs.split(","):
        for part in doc.split("+"):
            n = int(part)
            if n < 0:
                continue
            chunks.append(tokens(dtype, n, rng_seed))
            rng_seed += 1
            lengths.append(n)
        document_indices.append(len(lengths))
    with open(prefix + ".bin", "wb") as f:
        for c in chunks:
            f.write(c.tobytes(order="C"))
    # _IndexWriter.write: pointers are the running byte offsets of the sequences.
    pointers, current = [], 0
    for n in lengths:
        pointers.append(current)
        current += n * dtype.itemsize
    with open(prefix + ".idx", "wb") as f:
        f.write(b"MMIDIDX\x00\x00")
        f.write(struct.pack("<Q", 1))
        f.write(struct.pack("<B", MEGATRON_CODES[dtype_name]))
        f.write(struct.pack("<Q", len(lengths)))
        f.write(struct.pack("<Q", len(document_indices)))
        f.write(np.array(lengths, dtype=np.int32).tobytes(order="C"))
        f.write(np.array(pointers, dtype=np.int64).tobytes(order="C"))
        f.write(np.array(document_indices, dtype=np.int64).tobytes(order="C"))
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype)


def main(argv):
    kind = argv[1]
    if kind == "llmc":
        toks = llmc(int(argv[2]), int(argv[3]), int(argv[4]), argv[5])
    elif kind == "megatron":
        toks = megatron(argv[2], int(argv[3]), argv[4], argv[5])
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
