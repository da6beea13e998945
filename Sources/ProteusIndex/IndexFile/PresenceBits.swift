/// A set of token ids stored as one bit per vocabulary id, with the number of set bits
/// before every `wordsPerRank` words, so an id's rank among the set (the row of its entry in
/// a dense per-id array) costs at most that many popcounts. The DNA rows and the routing
/// directory are both indexed this way.
struct PresenceBits {
    static let wordsPerRank = 8

    let words: UnsafeBufferPointer<UInt64>
    let ranks: UnsafeBufferPointer<UInt32>

    /// The words and ranks of the set `ids` (increasing, each below `vocabularySize`).
    static func encode(_ ids: [UInt32], vocabularySize: Int) -> (words: [UInt64], ranks: [UInt32]) {
        var words = [UInt64](repeating: 0, count: (vocabularySize + 63) / 64)
        for id in ids { words[Int(id) >> 6] |= 1 << UInt64(id & 63) }
        var ranks: [UInt32] = []
        var total: UInt32 = 0
        for (w, word) in words.enumerated() {
            if w % wordsPerRank == 0 { ranks.append(total) }
            total += UInt32(word.nonzeroBitCount)
        }
        return (words, ranks)
    }

    /// Element counts the two sections must have for a vocabulary of `vocabularySize`.
    static func counts(vocabularySize: Int) -> (words: Int, ranks: Int) {
        let words = (vocabularySize + 63) / 64
        return (words, (words + wordsPerRank - 1) / wordsPerRank)
    }

    /// The rank of `id` among the set, nil when it is not in it. Assumes checked ranks.
    @inline(__always)
    func rank(of id: UInt32) -> Int? {
        let w = Int(id >> 6)
        guard w < words.count, words[w] & (1 << UInt64(id & 63)) != 0 else { return nil }
        var k = Int(ranks[w / Self.wordsPerRank])
        for v in (w - w % Self.wordsPerRank)..<w { k += words[v].nonzeroBitCount }
        return k + (words[w] & ((1 << UInt64(id & 63)) - 1)).nonzeroBitCount
    }

    /// The number of ids in the set, and the last one; throws `fail(rank)` at the first rank
    /// that does not count the ids before it.
    func checkedCount(fail: (Int) -> ProteusError) throws -> (count: Int, last: UInt32?) {
        var k = 0, last: UInt32?
        for (w, word) in words.enumerated() {
            if w % Self.wordsPerRank == 0 && Int(ranks[w / Self.wordsPerRank]) != k { throw fail(w / Self.wordsPerRank) }
            k += word.nonzeroBitCount
            if word != 0 { last = UInt32(w * 64 + 63 - word.leadingZeroBitCount) }
        }
        return (k, last)
    }

    /// The id of rank `k` (a checked set holding more than `k` ids).
    func id(ofRank k: Int) -> UInt32 {
        var left = k
        for (w, word) in words.enumerated() {
            var bits = word
            if bits.nonzeroBitCount <= left { left -= bits.nonzeroBitCount; continue }
            for _ in 0..<left { bits &= bits - 1 }
            return UInt32(w * 64 + bits.trailingZeroBitCount)
        }
        preconditionFailure("rank \(k) is past the set")
    }

    /// Every id of the set, increasing; throws `fail(word)` at the first rank that does not
    /// count the ids before it.
    func forEach(fail: (Int) -> ProteusError, _ body: (UInt32) throws -> Void) throws {
        var k = 0
        for (w, word) in words.enumerated() {
            if w % Self.wordsPerRank == 0 && Int(ranks[w / Self.wordsPerRank]) != k { throw fail(w / Self.wordsPerRank) }
            var bits = word
            while bits != 0 {
                try body(UInt32(w * 64 + bits.trailingZeroBitCount))
                bits &= bits - 1
                k += 1
            }
        }
    }

    /// Number of ids in the set.
    var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }
}
