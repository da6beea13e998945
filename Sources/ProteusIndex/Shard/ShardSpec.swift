/// `--shard i/N`: which part of the corpus a shard build covers.
///
/// The corpus is cut into units of `unitTokens` (a whole number of chunks and of the corpus
/// hash's blocks, so routing windows, chunk edges and hash blocks never straddle two shards),
/// and shard i runs from `boundary(i - 1)` to `boundary(i)`: units `[U(i-1)/N, Ui/N)` of one
/// input file, or whole files by size when there are several. A shard may be empty when N
/// exceeds the units or the files. A partial merge (`merge --partial`) joins consecutive
/// shards i..j into one shard "i-j/N", which runs from `boundary(i - 1)` to `boundary(j)`,
/// exactly the union of theirs.
public struct ShardSpec: Equatable, Sendable {
    /// 1-based: the first shard covered.
    public let index: Int
    /// The last shard covered (`index` unless a partial merge joined several).
    public let last: Int
    public let count: Int

    /// Parses "i/N"; refuses anything but 1 ≤ i ≤ N.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw ProteusError(.usage, "'--shard' must be i/N, such as 1/4 (got '\(text)')")
        }
        guard n >= 1, i >= 1, i <= n else {
            throw ProteusError(.usage, "'--shard' \(text) is outside 1..N: i must be between 1 and N, and N at least 1")
        }
        index = i
        last = i
        count = n
    }

    init(index: Int, last: Int? = nil, count: Int) {
        self.index = index
        self.last = last ?? index
        self.count = count
    }

    /// Shards covered.
    var width: Int { last - index + 1 }

    /// Whether it covers every shard 1..N: the whole corpus.
    var isWhole: Bool { index == 1 && last == count }

    public var description: String { index == last ? "\(index)/\(count)" : "\(index)-\(last)/\(count)" }

    /// Tokens per unit: the least common multiple of the chunk and the hash block.
    static func unitTokens(chunkLength: Int) -> Int {
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        let block = CorpusIdentityHasher.blockTokens
        return chunkLength / gcd(chunkLength, block) * block
    }

    /// The chunks of this shard among the chunks of `chunkLength` tokens of a corpus of
    /// `tokenCount` tokens whose input files start at `fileStarts` (stream positions, ascending).
    func chunks(tokenCount: UInt64, chunkLength: Int, fileStarts: [UInt64]) -> Range<Int> {
        let cut = { Self.boundary($0, of: self.count, tokenCount: tokenCount, chunkLength: chunkLength, fileStarts: fileStarts) }
        return cut(index - 1)..<cut(last)
    }

    /// The chunk where shard k + 1 of `count` starts (k in 0...count; k = count gives the chunk
    /// count): the one rule of the split. One input file (or one holding tokens): the unit at
    /// k/N of the units. Several: the start of the file nearest to k/N of the tokens (the
    /// earlier on a tie), so a shard holds whole files, about 1/N of the corpus by size.
    /// Non-decreasing in k, since the nearest start never moves back as k/N grows.
    static func boundary(_ k: Int, of count: Int, tokenCount: UInt64, chunkLength: Int, fileStarts: [UInt64]) -> Int {
        let chunkCount = Int((tokenCount + UInt64(chunkLength) - 1) / UInt64(chunkLength))
        let unit = unitTokens(chunkLength: chunkLength), perUnit = unit / chunkLength
        guard k > 0 else { return 0 }
        guard k < count else { return chunkCount }
        let starts = startsOfFilesHoldingTokens(fileStarts, tokenCount: tokenCount)
        guard starts.count > 1 else {
            let units = (chunkCount + perUnit - 1) / perUnit
            return min(units * k / count * perUnit, chunkCount)
        }
        let start = nearest(in: starts, toShare: k, of: count, tokenCount: tokenCount)
        // Rounded down to a unit: chunks are cut over the whole stream, so only a unit edge keeps the merge exact.
        return min(Int(start / UInt64(unit)) * perUnit, chunkCount)
    }

    /// `fileStarts` without empty files (an empty file starts where the next one does, or at the end).
    static func startsOfFilesHoldingTokens(_ fileStarts: [UInt64], tokenCount: UInt64) -> [UInt64] {
        var kept: [UInt64] = []
        for start in fileStarts where start < tokenCount && start != kept.last { kept.append(start) }
        return kept
    }

    /// The entry of `starts` (ascending, from 0) nearest to k/count of `tokenCount`, the earlier on a tie.
    static func nearest(in starts: [UInt64], toShare k: Int, of count: Int, tokenCount: UInt64) -> UInt64 {
        // Compared as full-width products (position·count against tokens·k): exact at any size.
        func product(_ a: UInt64, _ b: UInt64) -> (UInt64, UInt64) {
            let p = a.multipliedFullWidth(by: b)
            return (p.high, p.low)
        }
        let target = product(tokenCount, UInt64(k))
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if product(starts[mid], UInt64(count)) <= target { lo = mid } else { hi = mid - 1 }
        }
        guard lo + 1 < starts.count else { return starts[lo] }
        // The next start only when strictly nearer: (before + after) / 2 below the target.
        let after = product(starts[lo] + starts[lo + 1], UInt64(count)) < product(tokenCount, 2 * UInt64(k))
        return after ? starts[lo + 1] : starts[lo]
    }
}
