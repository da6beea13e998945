#!/usr/bin/env bash
# Reading speed of .tok files against the real CLIs on the same files:
#   TokFile + ChunkReader (65,536-token windows)  vs  `zstd -dc FILE > /dev/null` / `lz4 -dc FILE > /dev/null`.
# Builds a throwaway release driver in a temporary folder (outside the repo) that depends on this
# checkout, writes ~1 GiB of u32 tokens per codec, runs hyperfine, and deletes everything.
# Usage: tools/bench/micro/tok-readers.sh [token count, default 268435456 = 1 GiB of u32]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
tokens="${1:-268435456}"
work="$(mktemp -d "${TMPDIR:-/tmp}/tok-benchmark.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/Sources/tokbench"
cat > "$work/Package.swift" <<EOF
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "tokbench",
    dependencies: [.package(path: "$repo")],
    targets: [.executableTarget(name: "tokbench", dependencies: [.product(name: "ProteusIndex", package: "$(basename "$repo")")],
                                swiftSettings: [.swiftLanguageMode(.v5)])]
)
EOF
cat > "$work/Sources/tokbench/main.swift" <<'EOF'
import ProteusIndex
import Glibc

let args = CommandLine.arguments
if args[1] == "gen" { // gen FOLDER COUNT: the same skewed (text-like) ids written with every codec
    let n = Int(args[3])!
    let writers = try TokCodec.allCases.map { try TokWriter(path: "\(args[2])/data.\($0).tok", codec: $0, width: .u32) }
    for w in writers { w.beginDocument(name: "bench") }
    var state: UInt64 = 12345
    let buf = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: 1 << 16)
    var done = 0
    while done < n {
        let k = min(buf.count, n - done)
        for i in 0..<k {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Double(state >> 11) / Double(1 << 53)
            buf[i] = UInt32(100_000 * u * u * u * u)
        }
        for w in writers { try w.append(UnsafeBufferPointer(rebasing: buf[0..<k])) }
        done += k
    }
    for w in writers { try w.finish() }
} else { // read FILE [pread] [noverify]
    let options = TokFile.Options(access: args.contains("pread") ? .pread : .automatic,
                                  verifyChecksums: !args.contains("noverify"))
    let reader = try ChunkReader(TokFile(path: args[2], options: options), chunkLength: 65_536)
    var sum: UInt64 = 0
    while let w = try reader.nextWindow() { sum &+= UInt64(w.tokens[w.tokens.count - 1]) }
    if sum == 42 { print(sum) } // keep the loop observable
}
EOF
(cd "$work" && swift build -c release >/dev/null)
bench="$work/.build/release/tokbench"
"$bench" gen "$work" "$tokens"
ls -l "$work"/*.tok
hyperfine -w 2 -r 10 \
    "zstd -dc $work/data.zstd.tok > /dev/null" "$bench read $work/data.zstd.tok" "$bench read $work/data.zstd.tok pread" \
    "lz4 -dc $work/data.lz4.tok > /dev/null" "$bench read $work/data.lz4.tok" "$bench read $work/data.lz4.tok noverify" \
    "zstd -dc $work/data.none.tok > /dev/null" "$bench read $work/data.none.tok"
