#!/usr/bin/env python3
"""Cross-checks proteus-index's tensor interchange files against the reference libraries.

  check_interchange.py check SPEC.json
      Loads every file listed in SPEC.json with the real `safetensors` and `numpy.load` and
      compares dtypes, shapes, values (exactly) and safetensors metadata with the spec:
      {"files": [{"path": "...", "format": "safetensors" | "npy",
                  "metadata": {"k": "v"},              # safetensors only, optional
                  "tensors": [{"name": "ids", "dtype": "U32", "shape": [2, 3],
                               "values": [...]}]}]}   # values flattened, C order
      Exits 0 when everything matches, 1 (listing each mismatch) otherwise.

  check_interchange.py make-embeddings OUTDIR
      Writes embedding matrices with numpy / safetensors (good and bad ones) plus
      OUTDIR/expected.json describing what a reader must find in each.
"""
import json
import os
import struct
import sys

import numpy as np

NUMPY_DTYPES = {
    "BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "U16": np.uint16, "I16": np.int16,
    "F16": np.float16, "U32": np.uint32, "I32": np.int32, "F32": np.float32,
    "U64": np.uint64, "I64": np.int64, "F64": np.float64,
}


def expected_array(t):
    return np.array(t["values"], dtype=NUMPY_DTYPES[t["dtype"]]).reshape(t["shape"])


def compare(where, actual, t, problems):
    want = expected_array(t)
    if actual.dtype != want.dtype:
        problems.append(f"{where}: dtype {actual.dtype}, expected {want.dtype}")
    elif list(actual.shape) != list(t["shape"]):
        problems.append(f"{where}: shape {list(actual.shape)}, expected {t['shape']}")
    elif not np.array_equal(actual, want):
        problems.append(f"{where}: values differ")


def bf16_values(path, name):
    """BF16 has no numpy dtype: read the stored bits through the header's data_offsets."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        begin, end = header[name]["data_offsets"]
        f.seek(8 + n + begin)
        bits = np.frombuffer(f.read(end - begin), dtype="<u2").astype(np.uint32) << 16
    return bits.view(np.float32)


def check_safetensors(spec, problems):
    from safetensors import safe_open
    from safetensors.numpy import load_file
    path = spec["path"]
    with safe_open(path, framework="numpy") as f:
        if (f.metadata() or {}) != spec.get("metadata", {}):
            problems.append(f"{path}: metadata {f.metadata()}, expected {spec.get('metadata', {})}")
        if sorted(f.keys()) != sorted(t["name"] for t in spec["tensors"]):
            problems.append(f"{path}: tensors {sorted(f.keys())}")
            return
        for t in spec["tensors"]:
            where = f"{path}:{t['name']}"
            if t["dtype"] == "BF16":
                s = f.get_slice(t["name"])
                if s.get_dtype() != "BF16" or list(s.get_shape()) != t["shape"]:
                    problems.append(f"{where}: {s.get_dtype()} {s.get_shape()}, expected BF16 {t['shape']}")
                elif not np.array_equal(bf16_values(path, t["name"]), np.array(t["values"], dtype=np.float32)):
                    problems.append(f"{where}: values differ")
            else:
                compare(where, f.get_tensor(t["name"]), t, problems)
    if all(t["dtype"] != "BF16" for t in spec["tensors"]):
        loaded = load_file(path)
        for t in spec["tensors"]:
            compare(f"{path}:{t['name']} (load_file)", loaded[t["name"]], t, problems)


def check_npy(spec, problems):
    path = spec["path"]
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        if version != (1, 0):
            problems.append(f"{path}: version {version}, expected (1, 0)")
        np.lib.format.read_array_header_1_0(f)
        if f.tell() % 64 != 0:
            problems.append(f"{path}: data starts at byte {f.tell()}, not a multiple of 64")
    compare(path, np.load(path, allow_pickle=False), spec["tensors"][0], problems)


def check(spec_path):
    with open(spec_path) as f:
        spec = json.load(f)
    problems = []
    for entry in spec["files"]:
        try:
            (check_safetensors if entry["format"] == "safetensors" else check_npy)(entry, problems)
        except Exception as e:  # a file the reference cannot load is a failure, not a crash
            problems.append(f"{entry['path']}: {type(e).__name__}: {e}")
    for p in problems:
        print("FAIL:", p)
    print(f"{len(spec['files'])} files checked, {len(problems)} problems")
    return 1 if problems else 0


def make_embeddings(out):
    from safetensors.numpy import save_file
    rng = np.random.default_rng(1234)

    def matrix(rows, cols, dtype):
        return rng.standard_normal((rows, cols)).astype(dtype)

    cases, bad = [], []

    def good(name, array, tensor=None):
        cases.append({"file": name, "tensor": tensor, "rows": array.shape[0], "columns": array.shape[1],
                      "dtype": {"float16": "F16", "float32": "F32", "float64": "F64"}[str(array.dtype)],
                      "values": [float(v) for v in array.astype(np.float32).ravel()]})

    wte = matrix(50, 16, np.float32)
    save_file({"wte": wte, "bias": matrix(1, 16, np.float32)[0]}, os.path.join(out, "st_f32.safetensors"))
    good("st_f32.safetensors", wte)
    half, head = matrix(40, 8, np.float16), matrix(40, 8, np.float32)
    save_file({"wte": half, "lm_head": head, "ids": np.arange(7, dtype=np.int64)},
              os.path.join(out, "st_multi.safetensors"), metadata={"format": "np"})
    good("st_multi.safetensors", half, "wte")
    good("st_multi.safetensors", head, "lm_head")
    bad.append({"file": "st_multi.safetensors", "tensor": None, "kind": "several"})
    bad.append({"file": "st_multi.safetensors", "tensor": "ids", "kind": "not2d"})
    bad.append({"file": "st_multi.safetensors", "tensor": "nope", "kind": "missing"})
    for dtype, name in [(np.float32, "npy_f32.npy"), (np.float16, "npy_f16.npy"), (np.float64, "npy_f64.npy")]:
        a = matrix(30, 12, dtype)
        np.save(os.path.join(out, name), a)
        good(name, a)
    np.save(os.path.join(out, "npy_fortran.npy"), np.asfortranarray(matrix(6, 4, np.float32)))
    bad.append({"file": "npy_fortran.npy", "kind": "fortran"})
    np.save(os.path.join(out, "npy_1d.npy"), matrix(1, 10, np.float32)[0])
    bad.append({"file": "npy_1d.npy", "kind": "not2d"})
    np.save(os.path.join(out, "npy_int.npy"), np.arange(16, dtype=np.int32).reshape(4, 4))
    bad.append({"file": "npy_int.npy", "kind": "dtype"})
    save_file({"cube": rng.standard_normal((2, 3, 4)).astype(np.float32)}, os.path.join(out, "st_3d.safetensors"))
    bad.append({"file": "st_3d.safetensors", "tensor": None, "kind": "no2d"})
    save_file({"tokens": np.arange(16, dtype=np.int32).reshape(4, 4)}, os.path.join(out, "st_int.safetensors"))
    bad.append({"file": "st_int.safetensors", "tensor": None, "kind": "dtype"})
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"cases": cases, "bad": bad}, f)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2]))
    if len(sys.argv) == 3 and sys.argv[1] == "make-embeddings":
        sys.exit(make_embeddings(sys.argv[2]))
    print(__doc__, file=sys.stderr)
    sys.exit(64)
