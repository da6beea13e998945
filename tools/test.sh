#!/usr/bin/env bash
# The whole test suite on a fresh machine: install what is missing, then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
swift test "$@"
