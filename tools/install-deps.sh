#!/usr/bin/env bash
# Installs what proteus-index needs on a fresh Debian machine that already has the Swift
# toolchain: the zstd, lz4 and OpenSSL crypto libraries (headers for the build;
# the zstd and lz4 CLIs for the compatibility tests) and the Python packages the reference checks use.
set -euo pipefail
need=()
for pkg in liblz4-dev libzstd-dev libssl-dev zstd lz4 pkg-config python3-pip; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Reference implementations for the cross-checks (blobfile is what tiktoken's rank-file
# writer needs); tantivy (BM25, the evaluation's lexical baseline) is pinned to the 0.27
# series the results used.
python3 - <<'PY' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check tiktoken blobfile numpy safetensors jsonschema pytest matplotlib "tantivy==0.27.*" 2>&1 | grep -v -i "warning" || true
import tiktoken, numpy, safetensors, jsonschema, pytest, matplotlib, blobfile, tantivy
assert tantivy.__version__.startswith("tantivy v0.27"), tantivy.__version__
PY
# Peers whose own readers and writers the interoperability tests run: pyzstd (its
# SeekableZstdFile reads .tok files), megatron-core (its IndexedDatasetBuilder writes Megatron
# datasets) with torch. torch is pinned to the CPU build in pip's local wheel folder, never a
# CUDA build from the registry; megatron-core comes without its dependencies for the same reason.
python3 - <<'PY' 2>/dev/null || {
import importlib.metadata as m
assert m.version("torch") == "2.13.0+cpu" and m.version("pyzstd") and m.version("megatron-core")
PY
  python3 -m pip install -q --disable-pip-version-check "torch==2.13.0+cpu" "pyzstd==0.20.0" 2>&1 | grep -v -i "warning" || true
  python3 -m pip install -q --disable-pip-version-check --no-deps "megatron-core==0.16.1" 2>&1 | grep -v -i "warning" || true
  python3 -c 'import importlib.metadata as m; assert m.version("torch") == "2.13.0+cpu"; m.version("pyzstd"); m.version("megatron-core")' \
    || { echo "install-deps: could not install pyzstd, the CPU torch and megatron-core" >&2; exit 1; }
}
# The Python package (tools/python) checks section checksums with xxhash; its exactness proof
# runs Hugging Face transformers on the CPU torch above. transformers 5.24.0 is the newest
# release whose dependencies install (5.25.0 needs kernels>=0.19.1, not on PyPI); it does not
# require torch, so pip keeps the CPU build, which the last check confirms.
python3 - <<'PY' 2>/dev/null || {
import importlib.metadata as m
assert m.version("transformers") == "5.24.0" and m.version("xxhash")
PY
  python3 -m pip install -q --disable-pip-version-check "transformers==5.24.0" "xxhash==4.1.0" 2>&1 | grep -v -i "warning" || true
  python3 -c 'import importlib.metadata as m; assert m.version("transformers") == "5.24.0"; assert m.version("torch") == "2.13.0+cpu"; m.version("xxhash")' \
    || { echo "install-deps: could not install transformers 5.24.0 and xxhash beside the CPU torch" >&2; exit 1; }
}
# The unique-text haystack (tools/eval/corpus.py) reads Debian documentation packages that are not
# installed here (about 1.5 GB): `bash tools/eval/install-text.sh` installs them when wanted.
# The Ray driver of a distributed build (tools/cluster/ray_build.py) and its test: ray's wheel
# is about 80 MB and installs in about 40 s with its few pure-Python dependencies (no torch).
python3 -c 'import importlib.metadata as m; assert m.version("ray") == "2.60.0"' 2>/dev/null || {
  python3 -m pip install -q --disable-pip-version-check "ray==2.60.0" 2>&1 | grep -v -i "warning" || true
  python3 -c 'import importlib.metadata as m; assert m.version("ray") == "2.60.0"; assert m.version("torch") == "2.13.0+cpu"' \
    || { echo "install-deps: could not install ray 2.60.0 beside the CPU torch" >&2; exit 1; }
}
