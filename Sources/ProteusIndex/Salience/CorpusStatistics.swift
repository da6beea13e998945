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

    /// Counts the sampled tokens. `minimumVocabulary` comes from the tokenizer or embeddings;
    /// ids seen in the sample widen it.
    init(source: TokenSource, sample: StatisticsSample, minimumVocabulary: Int) throws {
        let cursor = try source.makeCursor()
        // One pass; the table grows when an id beyond it shows up (rare: the tokenizer's
        // vocabulary is usually known up front).
        let limit = UInt32(max(Self.vocabularyLimit, minimumVocabulary))
        var counts = [UInt32](repeating: 0, count: minimumVocabulary + 1)
        var seen = 0   // one past the largest id met
        var sampled = 0
        for block in sample.blocks {
            let tokens = try cursor.read(start: block.start, count: block.count)
            for t in tokens where Int(t) >= counts.count - 1 && t < limit {
                counts.append(contentsOf: repeatElement(0, count: Int(t) + 2 - counts.count))
            }
            counts.withUnsafeMutableBufferPointer { c in
                for t in tokens where t < limit { c[Int(t)] &+= 1 }
            }
            for t in tokens where Int(t) >= seen && t < limit { seen = Int(t) + 1 }
            sampled += tokens.count
        }
        let vocabulary = max(minimumVocabulary, seen)
        counts.removeLast(counts.count - vocabulary - 1)
        self.init(vocabularySize: vocabulary, counts: counts, sampledTokens: sampled)
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
