/// `--shard i/N`: which part of the corpus a shard build covers.
///
/// The corpus is cut into units of `unitTokens` (a whole number of chunks and of the corpus
/// hash's blocks, so routing windows, chunk edges and hash blocks never straddle two shards),
/// and shard i takes units `[U(i-1)/N, Ui/N)`. A shard may be empty when N exceeds the units.
public struct ShardSpec: Equatable, Sendable {
    /// 1-based.
    public let index: Int
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
        count = n
    }

    init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    /// Tokens per unit: the least common multiple of the chunk and the hash block.
    static func unitTokens(chunkLength: Int) -> Int {
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        let block = CorpusIdentityHasher.blockTokens
        return chunkLength / gcd(chunkLength, block) * block
    }

    /// The chunks of this shard among `chunkCount` chunks of `chunkLength` tokens.
    func chunks(chunkCount: Int, chunkLength: Int) -> Range<Int> {
        let perUnit = Self.unitTokens(chunkLength: chunkLength) / chunkLength
        let units = (chunkCount + perUnit - 1) / perUnit
        let first = units * (index - 1) / count * perUnit
        let end = units * index / count * perUnit
        return min(first, chunkCount)..<min(end, chunkCount)
    }
}
