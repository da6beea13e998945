#!/usr/bin/env python3
"""Loads an LLM pack written by `proteus-index query --emit` in all three forms with the
reference libraries and checks they agree:

  check_pack.py PACK.json PACK.safetensors PACK.npy

- PACK.safetensors through `safetensors.numpy.load_file`: int64 [1, n] input_ids,
  position_ids, document_ids and float32 [1, n] scores, metadata hero_tokens;
- PACK.npy through `numpy.load`: a structured array with those four fields;
- both equal to the arrays of PACK.json.
Exit 0 when everything matches, 1 with the mismatches listed, 3 when numpy or safetensors
is missing (the test then skips, saying so)."""
import json
import sys

try:
    import numpy as np
    from safetensors import safe_open
    from safetensors.numpy import load_file
except ImportError as e:
    print(f"missing reference library: {e}", file=sys.stderr)
    sys.exit(3)

json_path, st_path, npy_path = sys.argv[1:4]
expected = json.load(open(json_path))
problems = []
tensors = load_file(st_path)
with safe_open(st_path, framework="numpy") as f:
    metadata = f.metadata() or {}
if metadata.get("hero_tokens") != str(expected["hero_tokens"]):
    problems.append(f"safetensors metadata hero_tokens {metadata.get('hero_tokens')!r}")
records = np.load(npy_path)
for name, dtype in [("input_ids", np.int64), ("position_ids", np.int64), ("document_ids", np.int64), ("scores", np.float32)]:
    want = np.array(expected[name], dtype=dtype)
    t = tensors.get(name)
    if t is None or t.dtype != dtype or t.shape != (1, len(want)):
        problems.append(f"safetensors {name}: {None if t is None else (t.dtype, t.shape)}")
    elif not np.array_equal(t[0], want):
        problems.append(f"safetensors {name}: values differ from the JSON pack")
    if name not in (records.dtype.names or ()):
        problems.append(f"npy has no field {name}")
    elif records[name].dtype != dtype or not np.array_equal(records[name], want):
        problems.append(f"npy {name}: values or dtype differ ({records[name].dtype})")
for p in problems:
    print(p, file=sys.stderr)
print(f"{len(expected['input_ids'])} tokens agree" if not problems else "mismatch")
sys.exit(1 if problems else 0)
