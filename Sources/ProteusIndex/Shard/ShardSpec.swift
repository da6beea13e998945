/// `--shard i/N`: which part of the corpus a shard build covers.
///
/// The corpus is cut into units of `unitTokens` (a whole number of chunks and of the corpus
/// hash's blocks, so routing windows, chunk edges and hash blocks never straddle two shards),
/// and shard i takes units `[U(i-1)/N, Ui/N)`. A shard may be empty when N exceeds the units.
/// A partial merge (`merge --partial`) joins consecutive shards i..j into one shard "i-j/N",
/// which takes units `[U(i-1)/N, Uj/N)`, exactly the union of theirs.
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

    /// The chunks of this shard among `chunkCount` chunks of `chunkLength` tokens.
    func chunks(chunkCount: Int, chunkLength: Int) -> Range<Int> {
        let perUnit = Self.unitTokens(chunkLength: chunkLength) / chunkLength
        let units = (chunkCount + perUnit - 1) / perUnit
        let first = units * (index - 1) / count * perUnit
        let end = units * last / count * perUnit
        return min(first, chunkCount)..<min(end, chunkCount)
    }
}
