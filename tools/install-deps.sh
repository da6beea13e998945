#!/usr/bin/env bash
# Installs what proteus-index needs on a fresh Debian machine that already has the Swift
# toolchain: the zstd and lz4 libraries (headers for the build, CLIs for the
# compatibility tests) and the Python packages the reference checks use.
set -euo pipefail
need=()
for pkg in liblz4-dev libzstd-dev zstd lz4 pkg-config python3-pip; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Reference implementations for the cross-checks (tests skip them, loudly, when absent).
# tantivy (BM25, the evaluation's lexical baseline) is pinned to the 0.27 series the results used.
python3 - <<'PY' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check tiktoken numpy safetensors jsonschema pytest matplotlib "tantivy==0.27.*" 2>&1 | grep -v -i "warning" || true
import tiktoken, numpy, safetensors, jsonschema, pytest, matplotlib, tantivy
assert tantivy.__version__.startswith("tantivy v0.27"), tantivy.__version__
PY
# The unique-text haystack (tools/eval/corpus.py) reads Debian documentation packages that are not
# installed here (about 1.5 GB): `bash tools/eval/install-text.sh` installs them when wanted.
