/// The sorted distinct token ids of each routing window of a chunk: what the routing tier
/// records. One bit per id of the vocabulary (12.5 KB for cl100k, so it stays in L1): a
/// token costs one OR, and walking the words afterwards yields the ids already sorted,
/// with no sort and no hash. One collector per scoring thread.
final class DistinctIDs {
    /// Ids at or above this (outside the vocabulary the DNA knows) are not recorded.
    let limit: UInt32
    private let words: UnsafeMutablePointer<UInt64>
    private let wordCount: Int
    /// Room for every id of the vocabulary and the eight `drain` writes past the last, where
    /// it gathers them.
    private let found: UnsafeMutablePointer<UInt32>

    init(vocabularySize: Int) {
        limit = UInt32(vocabularySize)
        wordCount = (vocabularySize + 63) / 64 + 1
        words = .allocate(capacity: wordCount)
        words.initialize(repeating: 0, count: wordCount)
        found = .allocate(capacity: wordCount * 64 + 8)
    }

    deinit {
        words.deallocate()
        found.deallocate()
    }

    /// Appends the distinct ids of `tokens` to `out`, sorted, and returns how many.
    func collect(_ tokens: UnsafeBufferPointer<UInt32>, into out: inout [UInt32]) -> Int {
        for t in tokens { mark(t) }
        return drain(into: &out)
    }

    /// Marks the id `t` (out-of-vocabulary ids all set the bit of `limit`, cleared by `drain`).
    @inline(__always)
    func mark(_ t: UInt32) {
        let id = min(t, limit)
        words[Int(id >> 6)] |= 1 << UInt64(id & 63)
    }

    /// Appends the ids marked since the last drain to `out`, sorted, clears them, and
    /// returns how many.
    func drain(into out: inout [UInt32]) -> Int {
        let top = limit
        let last = Int(top >> 6), outside: UInt64 = 1 << UInt64(top & 63)
        words[last] &= ~outside
        // Written to `found` first and appended in one copy: counting the bits first cost a
        // second walk of the vocabulary's words per window, an append per id a check of the
        // array's uniqueness. A window marks three words in four, at random past the commonest
        // ids, so a loop that skipped empty words or stopped at a word's last bit mispredicted
        // most of its time away: each word writes eight ids whatever it holds (those past its
        // bits are overwritten by the next word's), and only a word of more goes on in a loop.
        var count = 0
        let found = self.found
        for w in 0..<wordCount {
            var bits = words[w]
            words[w] = 0
            let n = bits.nonzeroBitCount
            let base = UInt32(truncatingIfNeeded: w &<< 6), at = found + count
            at[0] = base | UInt32(truncatingIfNeeded: bits.trailingZeroBitCount); bits &= bits &- 1
            at[1] = base | UInt32(truncatingIfNeeded: bits.trailingZeroBitCount); bits &= bits &- 1
            at[2] = base | UInt32(truncatingIfNeeded: bits.trailingZeroBitCount); bits &= bits &- 1
            at[3] = base | UInt32(truncatingIfNeeded: bits.trailingZeroBitCount); bits &= bits &- 1
            at[4] = base | UInt32(truncatingIfNeeded: bits.trailingZeroBitCount); bits &= bits &- 1
            at[5] = base | UInt32(truncatingIfNeeded: bits.trailingZeroBitCount); bits &= bits &- 1
            at[6] = base | UInt32(truncatingIfNeeded: bits.trailingZeroBitCount); bits &= bits &- 1
            at[7] = base | UInt32(truncatingIfNeeded: bits.trailingZeroBitCount); bits &= bits &- 1
            var k = 8
            while bits != 0 {
                at[k] = base | UInt32(truncatingIfNeeded: bits.trailingZeroBitCount)
                bits &= bits &- 1
                k &+= 1
            }
            count &+= n
        }
        out.append(contentsOf: UnsafeBufferPointer(start: found, count: count))
        return count
    }
}
