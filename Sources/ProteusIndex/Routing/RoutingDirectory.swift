/// The routing tier's directory: which ids occur in the corpus, in how many windows each,
/// and where each id's list starts, in about 1.3 bytes an id (a sorted array of ids and
/// counts would take 8).
///
/// - `ids` (RIDS and RRNK, `PresenceBits`): one bit per vocabulary id, set for ids that
///   occur; an id's entry number is its rank among the set bits.
/// - `counts` (RWCN): each entry's window count as a LEB128 varint, in entry order.
/// - `skips` (RSKP): for every `skipInterval` entries, the byte offset of the first one's
///   count in `counts` and of its list in the postings; the lists between follow from the
///   counts (`PostingList.byteCount`).
struct RoutingDirectory {
    static let skipInterval = 64

    /// The sections of a directory of `ids` (increasing) with their window counts.
    static func encode(ids: [UInt32], counts: [UInt32], vocabularySize: Int, listLimit: Int, windows: Int)
        -> (presence: [UInt64], ranks: [UInt32], counts: [UInt8], skips: [UInt64]) {
        let (presence, ranks) = PresenceBits.encode(ids, vocabularySize: vocabularySize)
        var stream: [UInt8] = [], skips: [UInt64] = []
        var listOffset: UInt64 = 0
        for (k, n) in counts.enumerated() {
            if k % skipInterval == 0 { skips += [UInt64(stream.count), listOffset] }
            Varint.append(n, to: &stream)
            if Int(n) <= listLimit { listOffset += UInt64(PostingList.byteCount(count: Int(n), windows: windows)) }
        }
        return (presence, ranks, stream, skips)
    }

    /// One id's entry: how many windows hold it and where its list starts.
    struct Entry: Equatable {
        var id: UInt32
        var windowCount: Int
        var listOffset: Int
    }

    let ids: PresenceBits
    let counts: UnsafeRawBufferPointer
    let skips: UnsafeBufferPointer<UInt64>
    let listLimit: Int
    let windows: Int

    /// The entry of `id`, nil when the corpus never holds it. Assumes a checked directory.
    func entry(of id: UInt32) -> Entry? {
        guard let k = ids.rank(of: id) else { return nil }
        var at = Int(skips[2 * (k / Self.skipInterval)])
        var offset = Int(skips[2 * (k / Self.skipInterval) + 1])
        for _ in 0..<(k % Self.skipInterval) {
            let n = Int(readCount(&at) ?? 0)
            if n <= listLimit { offset += PostingList.byteCount(count: n, windows: windows) }
        }
        return Entry(id: id, windowCount: Int(readCount(&at) ?? 0), listOffset: offset)
    }

    /// Every entry in id order, of a directory `check` passed.
    func forEachEntry(_ body: (Entry) throws -> Void) rethrows {
        var at = 0, offset = 0
        for (w, word) in ids.words.enumerated() {
            var bits = word
            while bits != 0 {
                let n = Int(readCount(&at) ?? 0)
                try body(Entry(id: UInt32(w * 64 + bits.trailingZeroBitCount), windowCount: n, listOffset: offset))
                if n <= listLimit { offset += PostingList.byteCount(count: n, windows: windows) }
                bits &= bits - 1
            }
        }
    }

    /// Throws `fail(section, byte, what)` at the directory's first inconsistency: ranks,
    /// counts and skips that disagree, a count outside 1...windows. The reader calls this
    /// once, on first use, so lookups can trust the directory. Every query opening a tier
    /// does, so it sizes the lists from a table and visits no entry (a 100M-token tier's
    /// 71k ids: the fastest of 150 index-only processes 15.9 ms before, 15.3 ms after).
    /// Returns the total list bytes the counts call for (checked against the postings
    /// section) and the last id.
    func check(fail: (SectionKind, Int, String) -> ProteusError) throws -> (listBytes: Int, lastID: UInt32?) {
        let (entries, last) = try ids.checkedCount(fail: { fail(.routeRanks, 4 * $0, "rank \($0) does not count the ids before it") })
        // List sizes of the small counts, once: most ids have a short list, and sizing each
        // was most of the walk's time (a tier of small windows sizes its long lists as it goes).
        let sized = min(listLimit, windows), tabled = min(sized, 1 << 12)
        let sizes = (0...max(tabled, 0)).map { PostingList.byteCount(count: $0, windows: windows) }
        var at = 0, offset = 0
        let counts = self.counts, skips = self.skips  // in registers, not reloaded from self
        for k in 0..<entries {
            if k % Self.skipInterval == 0 {
                let s = 2 * (k / Self.skipInterval)
                // Compared as stored (u64): a crafted skip above Int.max must be refused, not trap.
                guard s + 1 < skips.count, skips[s] == UInt64(at), skips[s + 1] == UInt64(offset) else {
                    throw fail(.routeSkips, 8 * s, "skip \(k / Self.skipInterval) does not match the counts before it")
                }
            }
            let start = at
            var n = 0
            if at < counts.count && counts[at] < 0x80 {  // one byte: most counts
                n = Int(counts[at])
                at += 1
            } else if let long = readCount(&at) {
                n = Int(long)
            }
            guard n >= 1, n <= windows else {
                throw fail(.routeWindowCounts, start, "the window count of token id \(ids.id(ofRank: k)) is missing or outside 1...\(windows)")
            }
            if n <= tabled { offset += sizes[n] } else if n <= sized { offset += PostingList.byteCount(count: n, windows: windows) }
        }
        guard at == counts.count, skips.count == 2 * ((entries + Self.skipInterval - 1) / Self.skipInterval) else {
            throw fail(.routeWindowCounts, at, "\(counts.count - at) bytes left after the counts of \(entries) ids")
        }
        return (offset, last)
    }

    /// The varint at `at`, advancing it; nil when it runs past the end or past 32 bits.
    private func readCount(_ at: inout Int) -> UInt32? {
        var value: UInt32 = 0, shift: UInt32 = 0
        while at < counts.count && shift < 35 {
            let b = counts[at]
            at += 1
            value |= UInt32(truncatingIfNeeded: Int(b & 0x7F) << Int(shift))
            if b < 0x80 { return value }
            shift += 7
        }
        return nil
    }
}
