/// The routing tier of a shard: its windows' id lists as the builder spills them (before the
/// inversion, which needs the whole corpus's window count), carried in the shard index and
/// replayed in shard order by the merge, so the merged tier is the single build's.
struct ShardWindows: Equatable, Sendable {
    /// The spilled windows (per window: the id count, then the ids as deltas, LEB128).
    var spill: SectionBlob
    var windowCount: Int
    /// Line breaks before each window, counted from the shard's start (nil: not counted).
    var lineStarts: [UInt64]?
    /// Line breaks in the whole shard.
    var lineBreaks: UInt64
    /// The windows' joined-pair filters (nil: none).
    var pairFilters: PairFilters? = nil
}

extension ShardWindows {
    /// Consecutive shards' windows as those of one shard covering them all (a partial merge):
    /// the spills one after the other (each ends on a whole window), the line starts shifted
    /// by the breaks before, as `WindowPostingsBuilder.append` replays them.
    init(concatenating shards: [ShardWindows]) {
        var starts: [UInt64]? = nil, breaks: UInt64 = 0, windows = 0
        for shard in shards {
            starts = Self.lineStarts(starts, windows: windows, breaks: breaks, then: shard)
            breaks += shard.lineBreaks
            windows += shard.windowCount
        }
        self.init(spill: SectionBlob(concatenating: shards.map(\.spill)), windowCount: windows,
                  lineStarts: starts, lineBreaks: breaks, pairFilters: PairFilters(concatenating: shards.map(\.pairFilters)))
    }

    /// The line starts of `windows` windows holding `breaks` line breaks, followed by `next`'s:
    /// its own shifted by those breaks, or none once some windows were counted without them.
    static func lineStarts(_ starts: [UInt64]?, windows: Int, breaks: UInt64, then next: ShardWindows) -> [UInt64]? {
        guard let own = next.lineStarts else { return next.windowCount > 0 ? nil : starts }
        guard var joined = starts ?? (windows == 0 ? [] : nil) else { return nil }
        joined.append(contentsOf: own.map { $0 + breaks })
        return joined
    }
}

extension WindowPostingsBuilder {
    /// A shard's start: the chunk before it lends the ids of its last tokens to the reach of
    /// the shard's first window (its own windows belong to the shard before).
    func prime(tailOf chunk: ChunkResult) {
        let reach = RoutingTierContents.windowReach
        let tokens = UnsafeBufferPointer(rebasing: chunk.tokens[0..<chunk.count])
        tail.removeAll(keepingCapacity: true)
        let tailRun = UnsafeBufferPointer(rebasing: tokens[max(0, tokens.count - reach)...])
        _ = edges.collect(tailRun, into: &tail)
        tailTokens = Array(tailRun)
    }

    /// A shard's end: the shard's last window takes the reach into the next chunk's head.
    func complete(headOf chunk: ChunkResult) throws {
        let reach = RoutingTierContents.windowReach
        guard let last = waiting else { return }
        var head: [UInt32] = []
        let headTokens = UnsafeBufferPointer(rebasing: chunk.tokens[0..<min(reach, chunk.count)])
        _ = edges.collect(headTokens, into: &head)
        var unused: [UInt64] = [], lastEdgePairs: [UInt64] = []
        if pairSpill != nil { edgePairs(head: headTokens, first: &unused, last: &lastEdgePairs) }
        try add(window: ArraySlice(Self.union(last, head)), filter: waitingFilter.map { Self.adding(lastEdgePairs, to: $0) })
        waiting = nil
        waitingFilter = nil
    }

    /// The shard's windows, un-inverted.
    func finishSpill() throws -> ShardWindows {
        if let last = waiting { try add(window: ArraySlice(last), filter: waitingFilter) }
        waiting = nil
        waitingFilter = nil
        try flush()
        return ShardWindows(spill: try SectionBlob(file: spill), windowCount: windowCount,
                            lineStarts: lineStarts?.count == windowCount ? lineStarts : nil, lineBreaks: lineBreaks,
                            pairFilters: try pairSpill?.finish())
    }

    /// Replays a shard's windows after those already added (the merge, in shard order).
    func append(_ shard: ShardWindows, name: String) throws {
        lineStarts = ShardWindows.lineStarts(lineStarts, windows: windowCount, breaks: lineBreaks, then: shard)
        lineBreaks += shard.lineBreaks
        try addSpilled(shard.spill, windows: shard.windowCount, name: name)
    }

    /// Takes windows spilled in this builder's own encoding (a shard's, replayed by the merge):
    /// their bytes are kept as they are (`adopt`), and only their ids are counted (and checked,
    /// since the inversion indexes by id).
    private func addSpilled(_ blob: SectionBlob, windows: Int, name: String) throws {
        var reader = VarintReader()
        var remaining = windows, expected = -1, seen = 0
        var id: UInt32 = 0
        let vocabulary = UInt32(vocabularySize)
        try withWindowCounts { counts in
            try blob.forEachRun { run in
                try reader.feed(run) { value in
                    if expected < 0 {
                        guard remaining > 0 else {
                            throw ProteusError(.dataError, path: name, "shard window lists hold more windows than recorded (\(windows))")
                        }
                        expected = Int(value)
                        seen = 0
                        id = 0
                    } else {
                        id &+= value
                        guard id < vocabulary else {
                            throw ProteusError(.dataError, path: name, "shard window lists hold token id \(id), outside the vocabulary of \(vocabulary)")
                        }
                        counts[Int(id)] &+= 1
                        seen += 1
                    }
                    if expected == seen {
                        remaining -= 1
                        expected = -1
                    }
                }
            }
        }
        guard remaining == 0, expected < 0, !reader.inVarint else {
            throw ProteusError(.dataError, path: name, "shard window lists end early (\(remaining) of \(windows) windows missing)")
        }
        try adopt(blob)
        windowCount += windows
    }
}

/// Decodes LEB128 varints across run boundaries.
struct VarintReader {
    var value: UInt32 = 0
    var shift: UInt32 = 0
    var inVarint = false
    /// Bytes fed so far, the one ending the value being emitted included.
    var consumed = 0

    mutating func feed(_ run: UnsafeRawBufferPointer, _ emit: (UInt32) throws -> Void) throws {
        for b in run {
            consumed += 1
            value |= UInt32(b & 0x7F) << shift
            if b < 0x80 {
                let v = value
                value = 0; shift = 0; inVarint = false
                try emit(v)
            } else {
                shift += 7
                inVarint = true
            }
        }
    }
}
