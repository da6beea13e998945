/// Builds the routing tier during the build's single pass over the corpus, in bounded memory.
///
/// Windows arrive in order, each as its sorted distinct ids. They are counted (windows per
/// id) and spilled to an unlinked temporary file as delta varints, about 1.5 bytes per
/// (window, id) pair. Only at the end is it known which ids deserve a list, so `finish`
/// inverts the spill in passes: each pass takes the next ids whose lists fit a thread's share
/// of a fixed budget of `passBudget` window numbers, reads its windows once, and encodes
/// those lists; the threads run passes side by side, into a second temporary file in pass
/// order. With two passes or more, one read first sorts the listed ids into a spill per pass,
/// so that the passes do not each read everything (`WindowPostingsInversion.swift`). Memory stays the budget plus two vocabulary-sized
/// tables however large the corpus; the corpus itself is never read twice.
final class WindowPostingsBuilder {
    /// Window numbers held in memory by the inversion's passes at a time (16 MiB) by default: small
    /// enough that a corpus of 1 GiB already fills it, so the peak stays flat above that.
    static let defaultPassBudget = 4 << 20
    /// Window numbers of 4 bytes held in memory by the passes at a time (twice as many
    /// when they fit in 2 bytes: the memory is the same).
    let passBudget: Int
    /// Whether window numbers may be held as u16 when they fit (tests turn it off to try
    /// the u32 path on small corpora).
    let narrowNumbers: Bool
    /// Threads for the inversion: each takes a share of a pass's ids (the bytes are the same
    /// for any count).
    var threads = 1
    /// Bytes the passes' spills are gathered in when the windows are sorted by pass, shared
    /// between the passes, and the least any pass gets (tests make them tiny, so that a
    /// window's ids of one pass outgrow their buffer).
    var distributeBufferBytes = 4 << 20
    var distributeStrideFloor = 1 << 12
    /// At most this many files (two descriptors each) hold the windows sorted by pass; past
    /// it, consecutive passes share a file and each skips the others' ids. Descriptors that
    /// grew with the passes met `ulimit -n` (1,024 by default), and Foundation's `Process.run`
    /// overreads its /proc/self/fd listing past about 1,300 (swift-corelibs-foundation #5472).
    var distributeFiles = 128

    let windowTokens: Int
    private let listShare: Double
    private(set) var windowsPerID: [UInt32]
    var vocabularySize: Int { windowsPerID.count }
    var windowCount = 0
    let spill: UnlinkedTemporaryFile
    /// Encoded windows waiting to be spilled, written in place (the build's in-order stage
    /// encodes every (window, id) pair: an array's append per byte cost a tenth of it).
    private var pending: UnsafeMutableBufferPointer<UInt8>
    private var pendingCount = 0
    private static let flushBytes = 1 << 20
    /// Spilled windows taken as they are (a merge's shards), read in place by the inversion;
    /// only while the builder has spilled none of its own, so that the order stays.
    private(set) var adopted: [SectionBlob] = []
    private var ownWindows = 0
    let name: String
    /// Where the temporary files go (nil: $TMPDIR, else /tmp).
    let folder: String?
    /// The ids of the previous chunk's last `windowReach` tokens, and its last window's
    /// list, waiting for this chunk's head.
    var tail: [UInt32] = []
    var waiting: [UInt32]?
    let edges: DistinctIDs
    /// Join flags per id and the windows' joined-pair filters (nil: no filters). The last
    /// window's filter waits with its list, and the previous chunk's last `windowReach`
    /// tokens lend their pairs to the next chunk's first window.
    let pairFlags: [UInt8]?
    let pairSpill: PairFilterSpill?
    var waitingFilter: [UInt64]?
    var tailTokens: [UInt32] = []
    /// Line breaks before each window so far (nil when lines are not counted).
    var lineStarts: [UInt64]?
    var lineBreaks: UInt64 = 0

    /// `listShare`: ids in more than this share of the windows get no list.
    init(vocabularySize: Int, windowTokens: Int, listShare: Double, name: String,
         folder: String? = nil, passBudget: Int = defaultPassBudget, narrowNumbers: Bool = true,
         pairFlags: [UInt8]? = nil) throws {
        self.pairFlags = pairFlags
        pairSpill = try pairFlags.map { _ in try PairFilterSpill(folder: folder, name: name) }
        self.windowTokens = windowTokens
        self.passBudget = passBudget
        self.narrowNumbers = narrowNumbers
        self.folder = folder
        self.listShare = listShare
        self.name = name
        windowsPerID = [UInt32](repeating: 0, count: vocabularySize)
        edges = DistinctIDs(vocabularySize: vocabularySize)
        spill = try UnlinkedTemporaryFile(folder: folder, name: name, holding: "the routing tier's window lists")
        pending = .allocate(capacity: 2 * Self.flushBytes)
    }

    deinit { pending.deallocate() }

    /// Records the windows of the next chunk. Each window's list also holds the ids within
    /// `windowReach` past its edges: the scorer collected those inside the chunk; the reach
    /// into the previous chunk (its tail) is added to the first window here, and the last
    /// window waits for the next chunk's head.
    func add(_ chunk: ChunkResult) throws {
        let reach = RoutingTierContents.windowReach
        let tokens = UnsafeBufferPointer(rebasing: chunk.tokens[0..<chunk.count])
        if !chunk.windowLineBreaks.isEmpty {
            if lineStarts == nil { lineStarts = [] }
            for n in chunk.windowLineBreaks {
                lineStarts!.append(lineBreaks)
                lineBreaks += UInt64(n)
            }
        }
        var head: [UInt32] = []
        let headTokens = UnsafeBufferPointer(rebasing: tokens[0..<min(reach, tokens.count)])
        _ = edges.collect(headTokens, into: &head)
        // Pairs across the chunk edge: those ending in the previous chunk's tail or on this
        // chunk's first token go to this chunk's first window, those from the tail's last
        // token on to the previous chunk's last window.
        var firstEdgePairs: [UInt64] = [], lastEdgePairs: [UInt64] = []
        if pairSpill != nil { edgePairs(head: headTokens, first: &firstEdgePairs, last: &lastEdgePairs) }
        if let last = waiting {
            try add(window: ArraySlice(Self.union(last, head)), filter: waitingFilter.map { Self.adding(lastEdgePairs, to: $0) })
            waiting = nil
            waitingFilter = nil
        }
        var from = 0, fromWord = 0
        for (k, n) in chunk.windowIDCounts.enumerated() {
            var ids = Array(chunk.windowIDs[from..<(from + n)])
            from += n
            var filter: [UInt64]?
            if pairSpill != nil {
                let words = chunk.windowPairWordCounts[k]
                filter = Array(chunk.windowPairWords[fromWord..<(fromWord + words)])
                fromWord += words
                if k == 0 { filter = Self.adding(firstEdgePairs, to: filter!) }
            }
            if k == 0 { ids = Self.union(ids, tail) }
            if k == chunk.windowIDCounts.count - 1 { waiting = ids; waitingFilter = filter } else { try add(window: ArraySlice(ids), filter: filter) }
        }
        tail.removeAll(keepingCapacity: true)
        let tailRun = UnsafeBufferPointer(rebasing: tokens[max(0, tokens.count - reach)...])
        _ = edges.collect(tailRun, into: &tail)
        tailTokens = Array(tailRun)
    }

    /// The joined runs of the previous chunk's tail followed by `head`: those starting in the
    /// tail or on the head's first token go to this chunk's first window, those ending in
    /// the head or on the tail's last token to the previous chunk's last window. Each window
    /// already holds the runs inside its own reach, except those whose joining depends on
    /// the token across the edge (a connector's pairs).
    func edgePairs(head: UnsafeBufferPointer<UInt32>, first: inout [UInt64], last: inout [UInt64]) {
        guard let pairFlags, !tailTokens.isEmpty || head.count >= 2 else { return }
        let edge = tailTokens + Array(head)
        let split = tailTokens.count
        pairFlags.withUnsafeBufferPointer { flags in
            edge.withUnsafeBufferPointer { tokens in
                JoinedPairs.forEachRun(in: tokens, flags: flags) { start, end, h in
                    if start <= split { first.append(h) }
                    if end >= split { last.append(h) }
                }
            }
        }
    }

    /// `filter` with the pairs `hashes` set too (its size stays: a few edge pairs).
    static func adding(_ hashes: [UInt64], to filter: [UInt64]) -> [UInt64] {
        guard !hashes.isEmpty else { return filter }
        var f = filter
        f.withUnsafeMutableBufferPointer { words in for h in hashes { JoinedPairs.insert(h, into: words) } }
        return f
    }

    /// Two sorted lists of distinct ids merged.
    static func union(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] < b[j]) { out.append(a[i]); i += 1 }
            else if i == a.count || b[j] < a[i] { out.append(b[j]); j += 1 }
            else { out.append(a[i]); i += 1; j += 1 }
        }
        return out
    }

    /// Records the next window's distinct ids (sorted, each below the vocabulary size) and
    /// its joined-pair filter (when the builder keeps filters).
    func add(window ids: ArraySlice<UInt32>, filter: [UInt64]? = nil) throws {
        if let pairSpill { try pairSpill.add(filter ?? [0]) }
        if !adopted.isEmpty { try spillAdopted() }
        ownWindows += 1
        let most = Varint.maximumBytes * (ids.count + 1)
        if pendingCount + most > pending.count {
            try flush()
            if most > pending.count {
                pending.deallocate()
                pending = .allocate(capacity: most)
            }
        }
        windowsPerID.withUnsafeMutableBufferPointer { counts in
            for id in ids { counts[Int(id)] &+= 1 }
        }
        pendingCount = Varint.write(window: ids, to: pending.baseAddress!, at: pendingCount)
        windowCount += 1
        if pendingCount >= Self.flushBytes { try flush() }
    }

    /// Takes `blob` (whole windows in this builder's encoding, already counted) after the
    /// windows so far: kept as it is while none of our own were spilled, else copied.
    func adopt(_ blob: SectionBlob) throws {
        if ownWindows == 0 {
            adopted.append(blob)
        } else {
            try flush()
            try blob.forEachRun { try spill.write($0) }
        }
    }

    /// Own windows follow adopted ones: the adopted bytes go to the spill first.
    private func spillAdopted() throws {
        for blob in adopted { try blob.forEachRun { try spill.write($0) } }
        adopted.removeAll()
    }

    /// The per-id window counts, for windows added other than by `add(window:)` (the merge's).
    func withWindowCounts<R>(_ body: (UnsafeMutableBufferPointer<UInt32>) throws -> R) rethrows -> R {
        try windowsPerID.withUnsafeMutableBufferPointer { try body($0) }
    }

    func flush() throws {
        try spill.write(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(pending)[0..<pendingCount]))
        pendingCount = 0
    }

    /// The tier: directory, skip offsets and the window lists.
    func finish() throws -> RoutingTierContents {
        if let last = waiting { try add(window: ArraySlice(last), filter: waitingFilter) }
        waiting = nil
        waitingFilter = nil
        try flush()
        var tier = RoutingTierContents()
        tier.windowTokens = windowTokens
        tier.windowCount = windowCount
        tier.listLimit = Int((Double(windowCount) * listShare).rounded(.down))
        tier.lineStarts = lineStarts?.count == windowCount ? lineStarts : nil
        for (id, n) in windowsPerID.enumerated() where n > 0 {
            tier.ids.append(UInt32(id))
            tier.windowCounts.append(n)
        }
        tier.pairFilters = try pairSpill?.finish()
        tier.postings = try invert(tier)
        precondition(tier.postings.count == tier.ids.indices.reduce(0) { $0 + tier.listBytes($1) }, "routing postings length")
        return tier
    }
}

/// LEB128 unsigned varints: 7 bits a byte, low bits first.
enum Varint {
    /// Bytes of the longest u32.
    static let maximumBytes = 5

    /// Writes `value` at `out + at` (room for `maximumBytes`); returns where the next goes.
    @inline(__always)
    static func write(_ value: UInt32, to out: UnsafeMutablePointer<UInt8>, at: Int) -> Int {
        var v = value, i = at
        while v >= 0x80 {
            out[i] = UInt8(v & 0x7F) | 0x80
            v >>= 7
            i += 1
        }
        out[i] = UInt8(v)
        return i + 1
    }

    /// Writes a window of the spill at `out + at` (room for `maximumBytes` × (count + 1)):
    /// its count, then its sorted ids, each as the delta from the one before; returns where
    /// the next goes.
    @inline(__always)
    static func write<C: Collection>(window ids: C, to out: UnsafeMutablePointer<UInt8>, at: Int) -> Int where C.Element == UInt32 {
        var at = write(UInt32(ids.count), to: out, at: at)
        var previous: UInt32 = 0
        for id in ids {
            at = write(id - previous, to: out, at: at)
            previous = id
        }
        return at
    }

    /// Reads the varint at `p` and moves `p` past it, reading at most `maximumBytes` (the
    /// caller makes sure that many are there).
    @inline(__always)
    static func read(_ p: inout UnsafePointer<UInt8>) -> UInt32 {
        var b = p.pointee
        p += 1
        var value = UInt32(b & 0x7F), shift: UInt32 = 7
        while b >= 0x80 && shift < 35 {
            b = p.pointee
            p += 1
            value |= UInt32(b & 0x7F) << shift
            shift += 7
        }
        return value
    }

    /// Appends `value` to `out` (the same bytes as `write`).
    static func append(_ value: UInt32, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximumBytes) { bytes in
            let n = write(value, to: bytes.baseAddress!, at: 0)
            out.append(contentsOf: bytes[0..<n])
        }
    }
}
