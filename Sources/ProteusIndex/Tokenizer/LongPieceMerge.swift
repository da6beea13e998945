/// BPE for long pieces in O(n log n): the same merges as tiktoken's quadratic loop, chosen
/// from a min-heap instead of by rescanning every pair after each merge.
///
/// Equivalence: tiktoken merges the adjacent pair of lowest rank, leftmost on ties, then
/// re-ranks the pairs on both sides of the merged part. The heap is keyed by
/// `rank << 32 | start of the left part`, so its minimum is that same pair. Stale entries are
/// skipped on pop: an entry `(rank, start)` is current iff part `start` is alive and its pair
/// rank is still `rank` (a part's span only grows, and a rank names one byte string, so a
/// changed pair can never come back with the same rank).
///
/// Without this, one megabyte-long run of `=` or spaces (a single piece) would take hours.
final class LongPieceMerger {
    private var capacity = 0
    private var next: UnsafeMutablePointer<Int32>
    private var prev: UnsafeMutablePointer<Int32>
    private var pairRank: UnsafeMutablePointer<UInt32>
    private var token: UnsafeMutablePointer<UInt32>
    private var heap: UnsafeMutablePointer<UInt64>
    private var heapCount = 0

    init() {
        next = .allocate(capacity: 1); prev = .allocate(capacity: 1)
        pairRank = .allocate(capacity: 1); token = .allocate(capacity: 1); heap = .allocate(capacity: 1)
    }

    deinit {
        next.deallocate(); prev.deallocate(); pairRank.deallocate(); token.deallocate(); heap.deallocate()
    }

    private func reserve(_ n: Int) {
        guard n > capacity else { return }
        capacity = max(n, capacity * 2)
        next.deallocate(); prev.deallocate(); pairRank.deallocate(); token.deallocate(); heap.deallocate()
        next = .allocate(capacity: capacity); prev = .allocate(capacity: capacity)
        pairRank = .allocate(capacity: capacity); token = .allocate(capacity: capacity)
        // Each merge pushes at most two entries on top of the initial n.
        heap = .allocate(capacity: 3 * capacity)
    }

    /// Appends the tokens of the `n`-byte piece (n < 2^31). `rank(start, end)` ranks a span,
    /// `byteRank` a single byte. Returns false when a byte has no rank.
    func merge(_ n: Int, into out: inout [UInt32], byteRank: (Int) -> UInt32,
               rank: (_ start: Int, _ end: Int) -> UInt32) -> Bool {
        reserve(n + 1)
        heapCount = 0
        for i in 0..<n {
            next[i] = Int32(i + 1)
            prev[i] = Int32(i - 1)
            token[i] = byteRank(i)
            pairRank[i] = i + 1 < n ? rank(i, i + 2) : .max
            if pairRank[i] != .max { push(UInt64(pairRank[i]) << 32 | UInt64(i)) }
        }
        while heapCount > 0 {
            let top = pop()
            let r = UInt32(top >> 32), i = Int(top & 0xFFFF_FFFF)
            guard pairRank[i] == r else { continue }
            let j = Int(next[i]), k = Int(next[j])
            // Part j joins part i; j is dead from now on (its pair rank can never match again).
            pairRank[j] = .max
            next[i] = Int32(k)
            if k < n { prev[k] = Int32(i) }
            token[i] = r
            pairRank[i] = k < n ? rank(i, Int(next[k])) : .max
            if pairRank[i] != .max { push(UInt64(pairRank[i]) << 32 | UInt64(i)) }
            if i > 0 {
                let h = Int(prev[i])
                pairRank[h] = rank(h, k)
                if pairRank[h] != .max { push(UInt64(pairRank[h]) << 32 | UInt64(h)) }
            }
        }
        var ok = true
        var i = 0
        while i < n {
            out.append(token[i])
            if token[i] == .max { ok = false }
            i = Int(next[i])
        }
        return ok
    }

    @inline(__always) private func push(_ key: UInt64) {
        var c = heapCount
        heapCount += 1
        while c > 0 {
            let parent = (c - 1) >> 1
            if heap[parent] <= key { break }
            heap[c] = heap[parent]
            c = parent
        }
        heap[c] = key
    }

    @inline(__always) private func pop() -> UInt64 {
        let top = heap[0]
        heapCount -= 1
        let last = heap[heapCount]
        var c = 0
        while true {
            var child = 2 * c + 1
            if child >= heapCount { break }
            if child + 1 < heapCount && heap[child + 1] < heap[child] { child += 1 }
            if heap[child] >= last { break }
            heap[c] = heap[child]
            c = child
        }
        heap[c] = last
        return top
    }
}
