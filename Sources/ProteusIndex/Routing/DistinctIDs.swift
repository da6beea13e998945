/// The sorted distinct token ids of each routing window of a chunk: what the routing tier
/// records. One bit per id of the vocabulary (12.5 KB for cl100k, so it stays in L1): a
/// token costs one OR, and walking the words afterwards yields the ids already sorted,
/// with no sort and no hash. One collector per scoring thread.
final class DistinctIDs {
    /// Ids at or above this (outside the vocabulary the DNA knows) are not recorded.
    let limit: UInt32
    private let words: UnsafeMutablePointer<UInt64>
    private let wordCount: Int

    init(vocabularySize: Int) {
        limit = UInt32(vocabularySize)
        wordCount = (vocabularySize + 63) / 64 + 1
        words = .allocate(capacity: wordCount)
        words.initialize(repeating: 0, count: wordCount)
    }

    deinit { words.deallocate() }

    /// Appends the distinct ids of `tokens` to `out`, sorted, and returns how many.
    func collect(_ tokens: UnsafeBufferPointer<UInt32>, into out: inout [UInt32]) -> Int {
        let top = limit
        // Out-of-vocabulary ids all set the bit of `limit`, cleared before the walk.
        for t in tokens {
            let id = min(t, top)
            words[Int(id >> 6)] |= 1 << UInt64(id & 63)
        }
        let last = Int(top >> 6), outside: UInt64 = 1 << UInt64(top & 63)
        words[last] &= ~outside
        var count = 0
        for w in 0..<wordCount { count &+= words[w].nonzeroBitCount }
        let before = out.count
        // Sized first and written in place: an append per id checked the array's uniqueness.
        out.append(contentsOf: repeatElement(0, count: count))
        out.withUnsafeMutableBufferPointer { all in
            var at = before
            for w in 0..<wordCount where words[w] != 0 {
                var bits = words[w]
                words[w] = 0
                while bits != 0 {
                    all[at] = UInt32(w &* 64 &+ bits.trailingZeroBitCount)
                    at &+= 1
                    bits &= bits &- 1
                }
            }
        }
        return out.count - before
    }
}
