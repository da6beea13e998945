#!/usr/bin/env bash
# Builds the libFuzzer harness (tools/fuzz/Harness.swift + every library source, one module,
# -sanitize=fuzzer,address) and fuzzes each parser for SECONDS (default 60) from its seed
# corpus in fixtures/fuzz/<target>/. New inputs go to .build-fuzz/corpus/<target>/ (the seeds
# stay small and committed); crashes to .build-fuzz/crashes/<target>/.
#   tools/fuzz.sh [SECONDS] [TARGET...]     targets: tok headers phb tiktoken tensors stdin
# Reproduce a crash: PROTEUS_FUZZ_TARGET=tok .build-fuzz/proteus-fuzz CRASH_FILE
# phb inputs are one mode byte + the file. Mode bit 0 set = fix-up mode: the harness recomputes
# every section checksum and the header checksum before opening (bit 1: also the header's file
# size), so mutations get past the XXH64 checks into the section parsers; bit 0 clear = the
# file as it is (checksum refusals stay covered). The seeds carry both modes. A phb crash file
# keeps its mode byte: reproduce it the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}; shift || true
TARGETS=("$@"); [[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(tok headers phb tiktoken tensors stdin)
OUT=.build-fuzz; BIN=$OUT/proteus-fuzz
# A Swift trap is reported by libFuzzer's own handler; Swift's backtracer, reading the stack
# from a helper thread, trips ASan and then hung for minutes.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}
mkdir -p "$OUT"
SOURCES=$(find Sources/ProteusIndex -name '*.swift' | sort)
if [[ ! -x $BIN || -n $(find tools/fuzz/Harness.swift $SOURCES -newer "$BIN" | head -1) ]]; then
    echo "building $BIN" >&2
    swiftc -sanitize=fuzzer,address -parse-as-library -O -wmo -module-name ProteusIndex \
        -swift-version 5 -I Sources/CZstd -I Sources/CLZ4 -I Sources/CLibCrypto -lzstd -llz4 -lcrypto \
        tools/fuzz/Harness.swift $SOURCES -o "$BIN"
fi
# Input files for the readers that take paths: in memory (tmpfs) when /dev/shm exists.
FOLDER=$(mktemp -d "$([[ -w /dev/shm ]] && echo /dev/shm || echo "${TMPDIR:-/tmp}")/proteus-fuzz-XXXXXX")
trap 'rm -rf "$FOLDER"' EXIT
export PROTEUS_FUZZ_FOLDER=$FOLDER
status=0
for t in "${TARGETS[@]}"; do
    mkdir -p "$OUT/corpus/$t" "$OUT/crashes/$t"
    echo "== $t (${SECONDS_PER_TARGET}s)" >&2
    if ! PROTEUS_FUZZ_TARGET=$t "$BIN" "$OUT/corpus/$t" "fixtures/fuzz/$t" \
            -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
            -timeout=10 -print_final_stats=1 -artifact_prefix="$OUT/crashes/$t/" 2> "$OUT/$t.log"; then
        echo "!! $t found a crash: see $OUT/$t.log and $OUT/crashes/$t/" >&2; status=1
    fi
    grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|cov: " "$OUT/$t.log" | tail -4 >&2
done
exit $status
