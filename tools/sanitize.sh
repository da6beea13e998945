#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer and ThreadSanitizer, each in its own scratch
# folder (.build-asan, .build-tsan: gitignored) so the normal .build stays untouched.
#   tools/sanitize.sh [address|thread|all] [--filter REGEX]
# tools/test.sh (what CI runs) runs both over the whole suite after the plain run; on 2 cores
# that adds about 4 (ASan) and 7 (TSan) minutes from a cold build. A subset, for iterating:
#   tools/sanitize.sh thread --filter 'BuildTests|SalienceTests|TokTests|StdinTests'
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}; shift || true
run() {
    echo "== swift test --sanitize=$1 ${*:2}" >&2
    # halt_on_error: the first report fails the run; detect_leaks off (Swift runtime caches).
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1} \
    TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1} \
        swift test --sanitize="$1" --scratch-path ".build-$( [[ $1 == address ]] && echo asan || echo tsan )" "${@:2}"
}
case $which in
    address) run address "$@" ;;
    thread) run thread "$@" ;;
    all) run address "$@"; run thread "$@" ;;
    *) echo "usage: tools/sanitize.sh [address|thread|all] [--filter REGEX]" >&2; exit 2 ;;
esac
