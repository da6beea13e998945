#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which token ranges the corpus statistics are learned from.
///
/// Evenly spaced blocks whose positions depend only on the token count, so the same tokens
/// give the same sample whether they arrive as one file, stdin, or several files.
struct StatisticsSample: Equatable {
    /// Tokens per sampled block: large enough to keep neighbours together for co-occurrence,
    /// fixed (not `chunkLength`) so ablations over the chunk length share one sample.
    static let blockLength = 65_536

    /// `(start, count)` of each sampled block, increasing and disjoint.
    let blocks: [(start: UInt64, count: Int)]

    init(tokenCount: UInt64, sampleTokens: Int) {
        if tokenCount <= UInt64(sampleTokens) {
            var all: [(UInt64, Int)] = []
            var start: UInt64 = 0
            while start < tokenCount {
                let n = Int(min(UInt64(Self.blockLength), tokenCount - start))
                all.append((start, n)); start += UInt64(n)
            }
            blocks = all
            return
        }
        let length = min(Self.blockLength, sampleTokens)
        let n = max(1, sampleTokens / length)
        let room = tokenCount - UInt64(length)
        blocks = (0..<n).map { i in
            let start = n == 1 ? room / 2 : UInt64(i) * room / UInt64(n - 1)
            return (start, length)
        }
    }

    var tokenCount: Int { blocks.reduce(0) { $0 + $1.count } }

    static func == (a: Self, b: Self) -> Bool {
        a.blocks.count == b.blocks.count && zip(a.blocks, b.blocks).allSatisfy { $0 == $1 }
    }
}

/// Unigram counts over the sample, turned into a surprisal table in bits.
struct CorpusStatistics {
    /// Smoothing pseudo-count: an id never seen in the sample gets the highest surprisal,
    /// `-log2(alpha / (sampled + alpha * vocabulary))`, instead of infinity.
    static let alpha = 0.5
    /// Ids at or above this are all "unknown" (the overflow slot): per-id tables stay a few
    /// tens of MB even when a raw file without tokenizer holds a stray huge id.
    static let vocabularyLimit = 1 << 22

    /// Number of real token ids; tables have one more entry, the overflow slot that ids at or
    /// beyond the vocabulary map to (treated as never seen).
    let vocabularySize: Int
    /// Occurrences of each id in the sample (`vocabularySize + 1` entries).
    let counts: [UInt32]
    let sampledTokens: Int
    /// `-log2 P(id)` with add-alpha smoothing (`vocabularySize + 1` entries).
    let surprisal: [Float]

    /// Counts of one thread's share of the sample.
    private final class Tally {
        var counts: [UInt32]
        var seen = 0   // one past the largest id met
        var sampled = 0
        init(size: Int) { counts = [UInt32](repeating: 0, count: size) }
    }

    /// Counts the sampled tokens (on up to `threads` threads; the result does not depend on
    /// it). `minimumVocabulary` comes from the tokenizer or embeddings; ids seen in the sample
    /// widen it, up to `vocabularyLimit`.
    init(source: TokenSource, sample: StatisticsSample, minimumVocabulary: Int, threads: Int = 1) throws {
        let limit = UInt32(max(Self.vocabularyLimit, minimumVocabulary))
        let tallies = try scanSample(sample.blocks, source: source, threads: threads,
                                     makeState: { Tally(size: minimumVocabulary + 1) }) { tally, tokens in
            // The table grows when an id beyond it shows up (rare: the tokenizer's vocabulary
            // is usually known up front).
            for t in tokens where Int(t) >= tally.counts.count - 1 && t < limit {
                tally.counts.append(contentsOf: repeatElement(0, count: Int(t) + 2 - tally.counts.count))
            }
            tally.counts.withUnsafeMutableBufferPointer { c in
                for t in tokens where t < limit { c[Int(t)] &+= 1 }
            }
            for t in tokens where Int(t) >= tally.seen && t < limit { tally.seen = Int(t) + 1 }
            tally.sampled += tokens.count
        }
        let vocabulary = max(minimumVocabulary, tallies.map(\.seen).max() ?? 0)
        var counts = [UInt32](repeating: 0, count: vocabulary + 1)
        for tally in tallies {
            for (id, c) in tally.counts.enumerated() where id < vocabulary { counts[id] &+= c }
        }
        self.init(vocabularySize: vocabulary, counts: counts, sampledTokens: tallies.reduce(0) { $0 + $1.sampled })
    }

    init(vocabularySize: Int, counts: [UInt32], sampledTokens: Int) {
        self.vocabularySize = vocabularySize
        self.counts = counts
        self.sampledTokens = sampledTokens
        let denominator = Double(sampledTokens) + Self.alpha * Double(vocabularySize + 1)
        var table = counts.map { c -> Float in
            Float(-log2((Double(c) + Self.alpha) / denominator))
        }
        table[vocabularySize] = Float(-log2(Self.alpha / denominator))
        surprisal = table
    }
}
