#!/usr/bin/env bash
# The whole test suite on a fresh machine: install what is missing, run every test, then run
# every test again under AddressSanitizer and ThreadSanitizer (tools/sanitize.sh; the
# multi-threaded build must be race-free, the parsers free of memory errors). The Python
# package's tests (tools/python/tests, with the exactness proof in transformers) run once,
# after the plain run, with the binary it built: the sanitizer runs re-run the Swift suite only.
#   tools/test.sh                    what CI runs (about 17 minutes on 2 cores)
#   tools/test.sh --no-sanitizers    the plain suite only, for quick local iterations
# Other arguments go to every `swift test` (e.g. --filter TokTests).
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizers=1
args=()
for a in "$@"; do
    if [[ $a == --no-sanitizers ]]; then sanitizers=0; else args+=("$a"); fi
done
bash tools/install-deps.sh
swift test "${args[@]}"
if [[ ${#args[@]} == 0 ]]; then
    # Strict: a missing prerequisite (torch, transformers, the binary) fails instead of skipping.
    PROTEUS_INDEX_BIN="$(swift build --show-bin-path)/proteus-index" PROTEUS_PYTHON_STRICT=1 \
        python3 -m pytest -q -rs -p no:cacheprovider tools/python/tests
else
    echo "tools/test.sh: the Python package tests run only without swift test arguments" >&2
fi
if [[ $sanitizers == 1 ]]; then
    bash tools/sanitize.sh address "${args[@]}"
    bash tools/sanitize.sh thread "${args[@]}"
fi
