/// Turns one piece into token ids, exactly like tiktoken's `byte_pair_encode`: the whole
/// piece if it is a token, else repeated merging of the adjacent pair with the lowest rank
/// (the leftmost one on ties) until no adjacent pair is a token.
///
/// One encoder per thread: it owns the scratch arrays, which grow to the longest piece seen
/// and are reused, so encoding allocates nothing per piece.
final class BytePairEncoder {
    let ranks: RankTable
    /// Rank of each single byte (`UInt32.max` when the rank file lacks it).
    private let byteRanks: UnsafeMutablePointer<UInt32>
    /// Rank of each two-byte token, indexed by `first << 8 | second`; owned by `owner`.
    private let twoByteRanks: UnsafePointer<UInt32>
    /// Keeps the memory of `twoByteRanks` alive (the tokenizer).
    private let owner: AnyObject
    private var capacity = 0
    /// Start offset of each part within the piece (one extra entry: the piece's end).
    private var starts: UnsafeMutablePointer<Int32>
    /// Rank of merging part i with part i+1, `UInt32.max` when that is not a token.
    private var pairRanks: UnsafeMutablePointer<UInt32>
    /// Token id of part i.
    private var parts: UnsafeMutablePointer<UInt32>
    /// Pieces at least this long are merged by `LongPieceMerger` (same result, no quadratic
    /// blow-up); tests lower it to run every piece through both algorithms.
    var longPieceThreshold = 128
    private lazy var longMerger = LongPieceMerger()

    init(ranks: RankTable, byteRanks: [UInt32], twoByteRanks: UnsafePointer<UInt32>, owner: AnyObject) {
        self.ranks = ranks
        self.twoByteRanks = twoByteRanks
        self.owner = owner
        self.byteRanks = .allocate(capacity: 256)
        self.byteRanks.initialize(from: byteRanks, count: 256)
        starts = .allocate(capacity: 1)
        pairRanks = .allocate(capacity: 1)
        parts = .allocate(capacity: 1)
        reserve(256)
    }

    deinit {
        byteRanks.deallocate()
        starts.deallocate()
        pairRanks.deallocate()
        parts.deallocate()
    }

    private func reserve(_ n: Int) {
        guard n > capacity else { return }
        capacity = max(n, capacity * 2)
        starts.deallocate(); pairRanks.deallocate(); parts.deallocate()
        starts = .allocate(capacity: capacity)
        pairRanks = .allocate(capacity: capacity)
        parts = .allocate(capacity: capacity)
    }

    /// Appends the tokens of the `n`-byte piece at `piece`. Returns false only when the piece
    /// holds a byte that has no rank.
    @inline(__always)
    func encode(_ piece: UnsafePointer<UInt8>, _ n: Int, into out: inout [UInt32]) -> Bool {
        if n == 1 {
            let r = byteRanks[Int(piece[0])]
            out.append(r)
            return r != .max
        }
        let whole = n == 2 ? twoByteRanks[Int(piece[0]) << 8 | Int(piece[1])] : ranks.rank(piece, n)
        if whole != .max {
            out.append(whole)
            return true
        }
        return merge(piece, n, into: &out)
    }

    private func merge(_ piece: UnsafePointer<UInt8>, _ n: Int, into out: inout [UInt32]) -> Bool {
        if n >= longPieceThreshold {
            let pairs = twoByteRanks, bytes = byteRanks, ranks = self.ranks
            return longMerger.merge(n, into: &out, byteRank: { bytes[Int(piece[$0])] }, rank: { start, end in
                end - start == 2 ? pairs[Int(piece[start]) << 8 | Int(piece[start + 1])] : ranks.rank(piece + start, end - start)
            })
        }
        reserve(n + 1)
        var minRank = UInt32.max
        var minIndex = 0
        for i in 0..<n {
            starts[i] = Int32(i)
            parts[i] = byteRanks[Int(piece[i])]
            let r = i + 1 < n ? twoByteRanks[Int(piece[i]) << 8 | Int(piece[i + 1])] : .max
            pairRanks[i] = r
            if r < minRank { minRank = r; minIndex = i }
        }
        starts[n] = Int32(n)
        pairRanks[n] = .max
        var count = n + 1
        while minRank != .max {
            let i = minIndex
            parts[i] = minRank
            if i > 0 { pairRanks[i - 1] = rankOfSpan(piece, i - 1, i + 2, count) }
            pairRanks[i] = rankOfSpan(piece, i, i + 3, count)
            let tail = count - (i + 2)
            (starts + i + 1).update(from: starts + i + 2, count: tail)
            (pairRanks + i + 1).update(from: pairRanks + i + 2, count: tail)
            (parts + i + 1).update(from: parts + i + 2, count: tail)
            count -= 1
            minRank = .max
            for j in 0..<(count - 1) where pairRanks[j] < minRank {
                minRank = pairRanks[j]
                minIndex = j
            }
        }
        var ok = true
        for j in 0..<(count - 1) {
            out.append(parts[j])
            if parts[j] == .max { ok = false }
        }
        return ok
    }

    /// Rank of the bytes from part `first` up to the start of part `limit`, or `UInt32.max`
    /// when `limit` is past the last part (tiktoken's `get_rank`).
    @inline(__always)
    private func rankOfSpan(_ piece: UnsafePointer<UInt8>, _ first: Int, _ limit: Int, _ count: Int) -> UInt32 {
        guard limit < count else { return .max }
        let s = Int(starts[first])
        let n = Int(starts[limit]) - s
        return n == 2 ? twoByteRanks[Int(piece[s]) << 8 | Int(piece[s + 1])] : ranks.rank(piece + s, n)
    }
}
