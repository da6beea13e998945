#!/usr/bin/env bash
# The whole test suite on a fresh machine: install what is missing, run every test, then run
# every test again under AddressSanitizer and ThreadSanitizer (tools/sanitize.sh; the
# multi-threaded build must be race-free, the parsers free of memory errors).
#   tools/test.sh                    what CI runs (about 15 minutes on 2 cores)
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
if [[ $sanitizers == 1 ]]; then
    bash tools/sanitize.sh address "${args[@]}"
    bash tools/sanitize.sh thread "${args[@]}"
fi
