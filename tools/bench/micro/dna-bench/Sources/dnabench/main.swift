// Build benchmark and needle check for the DNA pipeline (release only):
//   swift run -c release dnabench speed 268435456 1 1,2   # throughput vs a plain sum, RSS
//   swift run -c release dnabench niah 16777216 1          # needle retention at 5 depths
//   swift run -c release dnabench ablate 67108864 1        # time per signal set
//   swift run -c release dnabench determinism 33554432     # threads 1/2/3 and document splits agree
import Foundation
import ProteusIndex

var vocabulary: [String: UInt32] = [:]
func tokenize(_ text: String) -> [UInt32] {
    var ids: [UInt32] = []
    var word = ""
    func flush() {
        guard !word.isEmpty else { return }
        if let id = vocabulary[word] { ids.append(id) } else {
            let id = UInt32(vocabulary.count); vocabulary[word] = id; ids.append(id)
        }
        word = ""
    }
    for ch in text {
        if ch.isLetter || ch.isNumber || ch == "'" { word.append(ch) } else {
            flush(); if !ch.isWhitespace { word = String(ch); flush() }
        }
    }
    flush()
    return ids
}
// Run from tools/bench/micro/dna-bench (or pass ESSAYS=/path/to/fixtures/essays).
let folder = ProcessInfo.processInfo.environment["ESSAYS"] ?? "../../fixtures/essays"
var essays: [UInt32] = []
for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where name.hasSuffix(".txt") {
    essays += tokenize(try String(contentsOfFile: folder + "/" + name, encoding: .utf8))
}
let args = CommandLine.arguments
let mode = args.count > 1 ? args[1] : "niah"
let total = args.count > 2 ? Int(args[2])! : 1_048_576
let threads = args.count > 3 ? Int(args[3])! : 1
func haystack(_ n: Int) -> [UInt32] {
    var out = [UInt32](); out.reserveCapacity(n)
    while out.count < n { out += essays.prefix(n - out.count) }
    return out
}
func now() -> Double { var t = timespec(); clock_gettime(CLOCK_MONOTONIC, &t); return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9 }
func peakRSS() -> Int { var u = rusage(); getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u); return u.ru_maxrss / 1024 }

if mode == "niah" {
    let needle = tokenize("The best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on a sunny day.")
    let magic = tokenize("One of the special magic numbers for zephyrine-quokka is: 8675309.")
    print("essay tokens", essays.count, "vocab", vocabulary.count)
    for (name, n) in [("sf", needle), ("magic", magic)] {
        for depth in [0.0, 0.25, 0.5, 0.75, 1.0] {
            var tokens = haystack(total)
            let pos = Int(Double(total - n.count) * depth)
            tokens.replaceSubrange(pos..<(pos + n.count), with: n)
            let source = try MemoryTokenSource(tokens: tokens)
            var p = BuildParameters()
            if args.count > 4 { p.signals = try! Signals(names: args[4].split(separator: ",").map(String.init)) }
            let t0 = now()
            let c = try BuildPipeline(parameters: p).run(source: source, threads: threads)
            let dt = now() - t0
            var found = 0
            var line: [String] = []
            for i in 0..<n.count {
                let q = UInt64(pos + i)
                var sc: Float? = nil
                for s in c.spans where q >= s.start && q < s.start + UInt64(s.length) {
                    if c.tokens[Int(s.firstHero) + Int(q - s.start)] == n[i] { found += 1; sc = c.scores[Int(s.firstHero) + Int(q - s.start)] }
                }
                line.append(sc.map { String(format: "%.1f", $0) } ?? "-")
            }
            let minSpan = c.spans.map(\.score).min() ?? 0
            print(name, depth, "found \(found)/\(n.count)", "time \(String(format: "%.2f", dt))s", "minSpanScore \(minSpan)", "champions \(c.statistics.champions) evicted \(c.statistics.evicted) spans \(c.spans.count)")
            print("   ", line.joined(separator: " "))
        }
    }
} else if mode == "speed" {
    var source: MemoryTokenSource! = nil
    var plain = 0.0
    let gb = Double(total * 4) / 1e9
    do {
        let tokens = haystack(total)
        tokens.withUnsafeBufferPointer { b in
            var best = 1e9
            var sum: UInt64 = 0
            for _ in 0..<3 {
                let t0 = now()
                var s: UInt64 = 0
                for t in b { s &+= UInt64(t) }
                sum &+= s
                best = min(best, now() - t0)
            }
            plain = best
            print(String(format: "plain sum: %.3f s  %.0f Mtok/s  %.2f GB/s (checksum %llu)", best, Double(total) / best / 1e6, gb / best, sum))
        }
        source = try MemoryTokenSource(tokens: tokens)
    }
    func status(_ key: String) -> Int {
        let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])! / 1024
        }
        return -1
    }
    for th in (args.count > 4 ? args[4].split(separator: ",").map { Int($0)! } : [1, 2]) {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let base = status("VmRSS:")
        let t0 = now()
        let c = try BuildPipeline(parameters: BuildParameters()).run(source: source, threads: th)
        let dt = now() - t0
        print(String(format: "build threads=%d: %.3f s  %.1f Mtok/s  %.3f GB/s  (%.1fx plain sum)  heroes %d  champions %llu  RSS before %d MB, peak during build %d MB", th, dt, Double(total) / dt / 1e6, gb / dt, dt / plain, c.tokens.count, c.statistics.champions, base, status("VmHWM:")))
    }
}
if mode == "ablate" {
    let tokens = haystack(total)
    let source = try MemoryTokenSource(tokens: tokens)
    for signals in [["surprisal", "burstiness", "gates", "spans"], ["surprisal", "burstiness", "spans"], ["surprisal", "spans"]] {
        var p = BuildParameters()
        p.signals = try! Signals(names: signals)
        let t0 = now()
        _ = try BuildPipeline(parameters: p).run(source: source, threads: threads)
        print(signals, String(format: "%.3f s", now() - t0))
    }
    var p = BuildParameters()
    p.statisticsSampleTokens = 65536
    let t0 = now()
    _ = try BuildPipeline(parameters: p).run(source: source, threads: threads)
    print("sample 64k", String(format: "%.3f s", now() - t0))
}
if mode == "determinism" {
    // Same contents for every thread count, and for one document vs many.
    var tokens = haystack(total)
    let needle = tokenize("The best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on a sunny day.")
    tokens.replaceSubrange(total / 3..<(total / 3 + needle.count), with: needle)
    let one = try MemoryTokenSource(tokens: tokens)
    var table = DocumentTable()
    var left = UInt64(total), k = 0
    while left > 0 { let n = min(left, UInt64(1_000_003 + 7 * k)); table.append(name: "d\(k)", length: n); left -= n; k += 1 }
    let split = try MemoryTokenSource(tokens: tokens, documents: table)
    let reference = try BuildPipeline(parameters: BuildParameters()).run(source: one, threads: 1)
    for th in [2, 3] {
        let c = try BuildPipeline(parameters: BuildParameters()).run(source: one, threads: th)
        print("threads \(th) identical to 1:", c == reference)
    }
    let s = try BuildPipeline(parameters: BuildParameters()).run(source: split, threads: 2)
    print("\(table.count) documents: same heroes:", s.tokens == reference.tokens && s.scores == reference.scores && s.dna == reference.dna, "spans \(reference.spans.count) -> \(s.spans.count)")
}
