/// Picks the `limit` best positions of a chunk by score (ties: lower position first) with a
/// histogram select: one pass buckets the scores (done by the scorer, fused into its loop),
/// the threshold bucket is found from the top, and only that bucket is sorted. Deterministic
/// and linear apart from the threshold bucket.
///
/// `keep` tokens become champions at most, and later bonuses add at most `margin` bits; a
/// token more than `margin` below the `keep`-th best can never be a champion, so it is left
/// out even when the `limit` would allow it (exact pruning, and less work downstream).
final class CandidateSelector {
    /// Buckets of 1/16 bit over [-32, 96) bits; scores outside land in the end buckets.
    static let bucketCount = 2_048

    let histogram: UnsafeMutablePointer<UInt32>
    /// Tokens of the threshold bucket as `ChampionKey`s, and radix-sort scratch.
    private let ties: UnsafeMutableBufferPointer<UInt64>
    private let sorter: RadixSorter

    init(chunkLength: Int) {
        histogram = .allocate(capacity: Self.bucketCount)
        histogram.initialize(repeating: 0, count: Self.bucketCount)
        ties = .allocate(capacity: chunkLength + 1)
        sorter = RadixSorter(capacity: chunkLength)
    }

    deinit {
        histogram.deallocate()
        ties.deallocate()
    }

    @inline(__always)
    static func bucket(_ score: Float) -> Int {
        // min/max instead of branches: this runs once per token in the scorer's loop.
        Int(Swift.min(Swift.max((score + 32) * 16, 0), Float(bucketCount - 1)))
    }

    /// Writes the chosen positions (indices into `scores`) to `out` (room for `limit + 1`)
    /// and returns how many.
    /// Expects `histogram` to hold the buckets of `scores`; leaves it zeroed for the next chunk.
    func select(scores: UnsafePointer<Float>, count n: Int, limit: Int, keep: Int, margin: Float,
                into out: UnsafeMutablePointer<Int32>) -> Int {
        defer { histogram.update(repeating: 0, count: Self.bucketCount) }
        // Bucket holding the keep-th best score; everything from `floor` up may matter.
        var seen = 0
        var keepBucket = Self.bucketCount - 1
        while keepBucket > 0 && seen + Int(histogram[keepBucket]) < keep {
            seen += Int(histogram[keepBucket])
            keepBucket -= 1
        }
        // Buckets are 1/16 bit: `floor` ends at least `margin` below keepBucket's lower edge.
        let floor = keepBucket == 0 ? 0 : max(0, keepBucket - Int((margin * 16).rounded(.up)) - 1)
        // Lowest bucket taken, and whether it must be cut to respect `limit`.
        var above = 0
        var threshold = Self.bucketCount - 1
        while threshold > floor && above + Int(histogram[threshold]) < limit {
            above += Int(histogram[threshold])
            threshold -= 1
        }
        let cut = above + Int(histogram[threshold]) > limit
        if threshold == 0 && !cut {
            for i in 0..<n { out[i] = Int32(i) }
            return n
        }
        // Bucket b >= t  <=>  (s + 32) * 16 >= t for t >= 1: the same expression as `bucket`,
        // compared as floats, and written branch-free (`out` and `ties` have a spare slot).
        // The end buckets also hold everything beyond them.
        func lowerEdge(_ b: Int) -> Float {
            b <= 0 ? -.infinity : (b >= Self.bucketCount ? .infinity : Float(b))
        }
        let takeFrom = lowerEdge(cut ? threshold + 1 : threshold)
        let tieFrom = cut ? lowerEdge(threshold) : .infinity
        var chosen = 0, tied = 0
        for i in 0..<n {
            let s = scores[i]
            let x = (s + 32) * 16
            out[chosen] = Int32(i)
            chosen &+= x >= takeFrom ? 1 : 0
            ties[tied] = ChampionKey.make(score: s, position: Int32(i))
            tied &+= (x >= tieFrom && x < takeFrom) ? 1 : 0
        }
        let need = limit - chosen
        if tied > need { sorter.sort(UnsafeMutableBufferPointer(rebasing: ties[0..<tied])) }
        for j in 0..<min(need, tied) { out[chosen] = Int32(ChampionKey.position(ties[j])); chosen += 1 }
        return chosen
    }
}
