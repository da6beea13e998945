#!/usr/bin/env bash
# Throughput and peak RSS of the raw token readers on a ~1 GiB file (not part of the tests).
# Builds a throwaway driver package in a temp folder that depends on this checkout by path,
# writes 2^28 random u32 ids (and the same count of u16 ids) with numpy, compares window-by-
# window reading against a plain sum over the mapping, and deletes everything afterwards.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
work="$(mktemp -d /tmp/formats-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/Sources/formats-bench"
cat > "$work/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "formats-bench",
    dependencies: [.package(path: "$repo")],
    targets: [.executableTarget(name: "formats-bench",
                                dependencies: [.product(name: "ProteusIndex", package: "$(basename "$repo")")],
                                swiftSettings: [.swiftLanguageMode(.v5)])]
)
SWIFT
cat > "$work/Sources/formats-bench/main.swift" <<'SWIFT'
import Glibc
import ProteusIndex

// formats-bench scan PATH            – plain loop summing UInt32 over the whole mapping
// formats-bench windows PATH N [pread|norelease] – RawTokenFile + ChunkReader, summing each window
let args = CommandLine.arguments
@inline(never) func sum(_ b: UnsafeBufferPointer<UInt32>) -> UInt64 {
    var s: UInt64 = 0
    for x in b { s &+= UInt64(x) }
    return s
}
func now() -> Double { var t = timespec(); clock_gettime(CLOCK_MONOTONIC, &t); return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9 }
let t0 = now()
var total: UInt64 = 0
var count = 0
switch args[1] {
case "scan":
    let map = try MappedFile(SystemFile(openForReading: args[2]))
    map.advise(.sequential)
    total = sum(map.bytes.bindMemory(to: UInt32.self))
    count = map.bytes.count / 4
case "windows":
    let source = try RawTokenFile(path: args[2], forcePread: args.count > 4 && args[4] == "pread")
    let noRelease = args.count > 4 && args[4] == "norelease"
    let cursor = try source.makeCursor()
    let n = Int(args[3])!
    var start: UInt64 = 0
    while start < source.tokenCount {
        if !noRelease { cursor.release(before: start) }
        let w = try cursor.read(start: start, count: n)
        total &+= sum(w)
        count += w.count
        start += UInt64(n)
    }
case "validate":
    let source = try RawTokenFile(path: args[2])
    let cursor = try source.makeCursor()
    let n = Int(args[3])!
    var start: UInt64 = 0
    while start < source.tokenCount {
        cursor.release(before: start)
        let w = try cursor.read(start: start, count: n)
        try TokenValidation.check(w, start: start, vocabularySize: 128_256, source: args[2])
        count += w.count
        start += UInt64(n)
    }
case "scan16":
    let map = try MappedFile(SystemFile(openForReading: args[2]))
    map.advise(.sequential)
    for x in map.bytes.bindMemory(to: UInt16.self) { total &+= UInt64(x) }
    count = map.bytes.count / 2
default: fatalError("mode")
}
let dt = now() - t0
print("\(args[1]) tokens=\(count) sum=\(total) seconds=\(dt) GB/s=\(Double(count * 4) / dt / 1e9)")
SWIFT
(cd "$work" && swift build -c release 2>&1 | tail -1)
python3 - "$work" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(1)
for name, dtype, high in (("big.u32", np.uint32, 128256), ("big.u16", np.uint16, 50257)):
    with open(f"{sys.argv[1]}/{name}", "wb") as f:
        for _ in range(16):
            rng.integers(0, high, size=1 << 24, dtype=dtype).tofile(f)
    a = np.memmap(f"{sys.argv[1]}/{name}", dtype=dtype, mode="r")
    print(name, "numpy sum", int(a.sum(dtype=np.uint64)))
PY
B="$work/.build/release/formats-bench"
for m in "scan $work/big.u32" "windows $work/big.u32 65536" "scan16 $work/big.u16" "windows $work/big.u16 65536"; do $B $m; done
hyperfine -N -w 2 -r 15 "$B scan $work/big.u32" "$B windows $work/big.u32 65536" "$B windows $work/big.u32 65536 pread" \
    "$B windows $work/big.u32 65536 norelease" "$B scan16 $work/big.u16" "$B windows $work/big.u16 65536"
for m in "scan $work/big.u32" "windows $work/big.u32 65536" "windows $work/big.u32 65536 norelease" \
         "windows $work/big.u32 65536 pread" "windows $work/big.u16 65536"; do
    echo "$m: $(/usr/bin/time -v $B $m 2>&1 | grep 'Maximum resident')"
done
