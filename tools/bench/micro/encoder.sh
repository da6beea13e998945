#!/usr/bin/env bash
# Encode throughput: our tokenizer (one thread and all cores) against tiktoken's
# encode_ordinary (one thread), on the same ~50 MB text made by repeating the essays.
#
#   tools/bench/micro/encoder.sh [runs=5] [megabytes=50]
#
# Prints MB/s (1 MB = 10^6 bytes) as the median of the runs, by wall clock and by the
# encoding thread's CPU time (the fair figure on a shared, loaded machine), and checks that
# both produce the same ids (count and SHA-256 of the little-endian u32 stream). The Swift driver is built in
# a scratch folder outside the repository from the library's sources compiled as one
# optimized module (the CLI gets an `encode` subcommand later).
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$(pwd)
RUNS=${1:-5}
MB=${2:-50}
WORK=${TMPDIR:-/tmp}/proteus-bench-encode
mkdir -p "$WORK"
RANKS="$ROOT/fixtures/tokenizers/cl100k_base.tiktoken"
TEXT="$WORK/essays-${MB}MB.txt"

swift build -c release --product ProteusIndex >/dev/null 2>&1 || { echo "release build failed" >&2; exit 1; }

python3 - "$ROOT/fixtures/essays" "$TEXT" "$MB" <<'PY'
import os, sys
folder, out, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
one = b"".join(open(os.path.join(folder, n), "rb").read() for n in sorted(os.listdir(folder)) if n.endswith(".txt"))
data = one * (mb * 1_000_000 // len(one) + 1)
open(out, "wb").write(data[: data.rfind(b"\n", 0, mb * 1_000_000) + 1])
PY

# Foundation only for String(format:) in the driver; the library itself does not use it.
cat > "$WORK/main.swift" <<'SWIFT'
import Foundation
#if canImport(Glibc)
import Glibc
#endif
let args = CommandLine.arguments
let tokenizer = try Tokenizer.load(path: args[1])
let file = try SystemFile(openForReading: args[2])
let text = try file.readBytes(at: 0, count: Int(file.size))
let runs = Int(args[3])!
func now() -> Double { var t = timespec(); clock_gettime(CLOCK_MONOTONIC, &t); return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9 }
func cpu() -> Double { var t = timespec(); clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9 }
func pcpu() -> Double { var t = timespec(); clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9 }
func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }
var serial: [Double] = [], parallel: [Double] = [], serialCPU: [Double] = [], parallelCPU: [Double] = []
var tokens: [UInt32] = []
for _ in 0..<runs {
    tokens = []  // fresh output each run, as tiktoken returns a new list
    let t0 = now(), c0 = cpu()
    try text.withUnsafeBytes { try tokenizer.encodeOrdinary($0, into: &tokens) }
    serial.append(Double(text.count) / (now() - t0) / 1e6)
    serialCPU.append(Double(text.count) / (cpu() - c0) / 1e6)
}
var parallelTokens: [UInt32] = []
for _ in 0..<(args.count > 4 ? 0 : runs) {
    let t0 = now(), p0 = pcpu()
    parallelTokens = try text.withUnsafeBytes { try tokenizer.encodeOrdinaryParallel($0) }
    parallel.append(Double(text.count) / (now() - t0) / 1e6)
    parallelCPU.append(pcpu() - p0)
}
precondition(args.count > 4 || parallelTokens == tokens, "parallel output differs from serial")
let digest = tokens.withUnsafeBytes { SHA256.hex(SHA256.hash($0)) }
print("swift tokens \(tokens.count) sha256 \(digest)")
print(String(format: "swift 1 thread   median %.1f MB/s  runs %@", median(serial), serial.map { String(format: "%.1f", $0) }.joined(separator: " ")))
print(String(format: "swift 1 thread   median %.1f MB/s of thread CPU time  runs %@", median(serialCPU), serialCPU.map { String(format: "%.1f", $0) }.joined(separator: " ")))
if !parallel.isEmpty {
    print(String(format: "swift all cores  median %.1f MB/s  runs %@", median(parallel), parallel.map { String(format: "%.1f", $0) }.joined(separator: " ")))
    // Process CPU seconds per wall second: how many cores the parallel runs actually got.
    print(String(format: "swift all cores  process CPU / wall = %.2f", parallelCPU.reduce(0, +) / parallel.map { Double(text.count) / $0 / 1e6 }.reduce(0, +)))
}
SWIFT

find Sources/ProteusIndex -name '*.swift' > "$WORK/sources.txt"
swiftc -O -wmo -module-name ProteusIndexBench -swift-version 5 $(cat "$WORK/sources.txt") "$WORK/main.swift" -o "$WORK/bench"

echo "text: $TEXT ($(stat -c %s "$TEXT") bytes), $(nproc) cores, $RUNS runs"
"$WORK/bench" "$RANKS" "$TEXT" "$RUNS"

python3 - "$RANKS" "$TEXT" "$RUNS" <<'PY'
import array, hashlib, sys, time
import tiktoken, tiktoken.load
ranks_path, text_path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
pat = r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
enc = tiktoken.Encoding("cl100k_base", pat_str=pat, mergeable_ranks=tiktoken.load.load_tiktoken_bpe(ranks_path),
                        special_tokens={"<|endoftext|>": 100257})
data = open(text_path, "rb").read()
text = data.decode("utf-8")
speeds, cpu_speeds = [], []
for _ in range(runs):
    t0, c0 = time.perf_counter(), time.thread_time()
    ids = enc.encode_ordinary(text)
    speeds.append(len(data) / (time.perf_counter() - t0) / 1e6)
    cpu_speeds.append(len(data) / (time.thread_time() - c0) / 1e6)
digest = hashlib.sha256(array.array("I", ids).tobytes()).hexdigest()
print(f"tiktoken {tiktoken.__version__} tokens {len(ids)} sha256 {digest}")
print("tiktoken 1 thread median %.1f MB/s  runs %s" % (sorted(speeds)[len(speeds) // 2], " ".join("%.1f" % s for s in speeds)))
print("tiktoken 1 thread median %.1f MB/s of thread CPU time  runs %s" % (sorted(cpu_speeds)[len(cpu_speeds) // 2], " ".join("%.1f" % s for s in cpu_speeds)))
PY
