#!/usr/bin/env python3
"""Writes Megatron indexed datasets with megatron-core's own IndexedDatasetBuilder and reads
them back with its IndexedDataset, so the Swift tests can compare proteus-index's reading.

  megatron_datasets.py SPEC.json

SPEC: {"datasets": [{"prefix": P, "dtype": "int32"|"uint16"|"uint8", "seed": S, "high": H,
"documents": [[LENGTH, ...], ...]}]}: each document is a list of sequence lengths (an empty
list is an empty document, a 0 an empty sequence); ids are drawn from numpy's seeded
generator below H. Prints one JSON object: {"datasets": [{"prefix": P, "tokens": [...],
"document_lengths": [...], "sequence_lengths": [...], "document_indices": [...]}]}, all as
megatron-core's IndexedDataset reads them back.
"""
import json
import sys
import warnings

import numpy as np

warnings.filterwarnings("ignore")  # megatron-core warns that Apex and Transformer Engine are absent
import torch  # noqa: E402
from megatron.core.datasets.indexed_dataset import IndexedDataset, IndexedDatasetBuilder  # noqa: E402


def write(spec):
    rng = np.random.default_rng(spec["seed"])
    builder = IndexedDatasetBuilder(spec["prefix"] + ".bin", dtype=np.dtype(spec["dtype"]).type)
    for document in spec["documents"]:
        for length in document:
            builder.add_item(torch.from_numpy(rng.integers(0, spec["high"], size=length, dtype=np.int64)))
        builder.end_document()
    builder.finalize(spec["prefix"] + ".idx")


def read_back(prefix):
    ds = IndexedDataset(prefix, mmap=False)  # its mmap reader cannot open an empty .bin
    sequences = [ds[i] for i in range(len(ds))]
    lengths = [int(n) for n in ds.sequence_lengths]
    indices = [int(i) for i in ds.document_indices]
    documents = [sum(lengths[indices[d]:indices[d + 1]]) for d in range(len(indices) - 1)]
    tokens = np.concatenate(sequences).tolist() if sequences else []
    return {"prefix": prefix, "tokens": [int(t) for t in tokens], "document_lengths": documents,
            "sequence_lengths": lengths, "document_indices": indices}


def main(argv):
    with open(argv[1]) as f:
        spec = json.load(f)
    out = []
    for d in spec["datasets"]:
        write(d)
        out.append(read_back(d["prefix"]))
    json.dump({"datasets": out}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
