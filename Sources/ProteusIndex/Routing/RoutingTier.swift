/// The routing tier of a mapped index, used in place (`RoutingTierContents` is the
/// writer's form). Looking an id up costs a rank in the presence bits and at most 63
/// varints (`RoutingDirectory`); its window list is decoded straight from the mapping with
/// every step bounds-checked, so a corrupt list is an error naming the section and byte,
/// never a wrong read.
public struct RoutingTier {
    /// Keeps the mapping alive as long as the view.
    let owner: HeroIndex
    public let shape: RoutingTierShape
    let directory: RoutingDirectory
    let postings: UnsafeRawBufferPointer
    /// Number of ids that occur in the corpus.
    public let idCount: Int
    /// Line breaks before each window (nil: lines were not counted).
    public let lineStarts: UnsafeBufferPointer<UInt64>?
    /// Each window's joined-pair filter (nil: built without).
    let pairFilters: PairFilterView?
    /// Tokens past each window edge that its list and filter cover: how far a passage may
    /// reach from its anchor with the bounds still exact.
    public var windowReach: Int { owner.metadata.windowReach }

    typealias Entry = RoutingDirectory.Entry

    /// The entry of `id`, nil when the id never occurs in the corpus.
    func entry(of id: UInt32) -> Entry? { directory.entry(of: id) }

    /// Whether the entry has a window list (ids in more windows have none).
    func hasList(_ e: Entry) -> Bool { e.windowCount <= shape.listLimit }

    /// Whether a term spelled as `ids` may stand in any window: one of them occurs with no
    /// list. Routing bounds such a term as present everywhere.
    func mayBeAnywhere(_ ids: [UInt32]) -> Bool {
        ids.contains { entry(of: $0).map { !hasList($0) } ?? false }
    }

    /// Calls `body` with every window of the entry's list, increasing.
    func forEachWindow(of e: Entry, _ body: (Int) -> Void) throws {
        guard hasList(e) else { return }
        let windows = shape.windowCount
        let size = PostingList.byteCount(count: e.windowCount, windows: windows)
        guard e.listOffset <= postings.count, size <= postings.count - e.listOffset,
              PostingList.forEach(UnsafeRawBufferPointer(rebasing: postings[e.listOffset..<(e.listOffset + size)]),
                                  count: e.windowCount, windows: windows, body) else {
            throw ProteusError(.dataError, path: owner.path,
                               "section 'RPST' at byte \(owner.entry(.routePostings).offset + UInt64(e.listOffset)): the window list of token id \(e.id) is corrupt")
        }
    }

    /// Every entry, in id order.
    func forEachEntry(_ body: (Entry) throws -> Void) rethrows {
        try directory.forEachEntry(body)
    }
}

extension RoutingTier {
    /// What `inspect` shows of the tier.
    public struct Summary: Equatable {
        public var windowTokens: Int
        public var windows: Int
        /// Ids in more windows than this have no list.
        public var listLimit: Int
        public var ids: Int
        public var eliasFanoLists: Int
        public var bitmapLists: Int
        public var idsWithoutList: Int
        /// Directory bytes (ids, counts, skip offsets) and list bytes.
        public var directoryBytes: Int
        public var postingBytes: Int
        /// Bytes of the joined-pair filters and their offsets (0: none).
        public var pairFilterBytes: Int = 0
        /// Tokens past each window edge its list and filter cover.
        public var windowReach: Int = 0
    }

    public var summary: Summary {
        var s = Summary(windowTokens: shape.windowTokens, windows: shape.windowCount, listLimit: shape.listLimit,
                        ids: idCount, eliasFanoLists: 0, bitmapLists: 0, idsWithoutList: 0,
                        directoryBytes: directory.ids.words.count * 8 + directory.ids.ranks.count * 4
                            + directory.counts.count + directory.skips.count * 8,
                        postingBytes: postings.count,
                        pairFilterBytes: pairFilters.map { $0.words.count * 8 + $0.offsets.count * 8 } ?? 0,
                        windowReach: windowReach)
        forEachEntry { e in
            if !hasList(e) { s.idsWithoutList += 1 }
            else if PostingList.encoding(count: e.windowCount, windows: shape.windowCount) == .bitmap { s.bitmapLists += 1 }
            else { s.eliasFanoLists += 1 }
        }
        return s
    }

    /// Decodes every list (`inspect --verify`).
    func verifyLists() throws {
        try forEachEntry { try forEachWindow(of: $0) { _ in } }
    }
}

extension HeroIndex {
    /// The routing tier, nil when the index has none (format version 1, or built without).
    /// First access verifies the directory sections' checksums and walks the directory once:
    /// ranks, counts and skips consistent, and list sizes that add up to the postings
    /// section exactly, so lookups can trust it.
    public func routing() throws -> RoutingTier? {
        guard let shape = metadata.routing else { return nil }
        let idBits = PresenceBits(words: try accessedView(.routeIDs, as: UInt64.self), ranks: try accessedView(.routeRanks, as: UInt32.self))
        let directory = RoutingDirectory(ids: idBits, counts: try accessed(.routeWindowCounts),
                                         skips: try accessedView(.routeSkips, as: UInt64.self),
                                         listLimit: shape.listLimit, windows: shape.windowCount)
        let postings = try accessed(.routePostings)
        try checkOnce(2) {
            // One walk: ids are increasing, so only the last one can be outside the vocabulary.
            let (needed, last) = try directory.check(fail: routingFailure)
            if let id = last, Int(id) >= metadata.vocabularySize {
                throw routingFailure(.routeIDs, Int(id / 64) * 8, "token id \(id) is outside the vocabulary of \(metadata.vocabularySize)")
            }
            guard needed == postings.count else {
                throw routingFailure(.routePostings, 0, "\(postings.count) bytes, but the directory's lists need \(needed)")
            }
        }
        var lines: UnsafeBufferPointer<UInt64>?
        if byKind[SectionKind.routeLineStarts.ordinal] != nil {
            lines = try accessedView(.routeLineStarts, as: UInt64.self)
        }
        return RoutingTier(owner: self, shape: shape, directory: directory, postings: postings, idCount: directory.ids.count,
                           lineStarts: lines, pairFilters: try pairFilters(windows: shape.windowCount))
    }

    /// The joined-pair filters of `windows` windows (a tier's or a shard's), nil when the
    /// index has none; the offsets are checked once against the filters' words.
    func pairFilters(windows: Int) throws -> PairFilterView? {
        let hasWords = byKind[SectionKind.routePairFilters.ordinal] != nil, hasOffsets = byKind[SectionKind.routePairOffsets.ordinal] != nil
        guard hasWords || hasOffsets else { return nil }
        guard hasWords && hasOffsets else {
            let (present, missing): (SectionKind, SectionKind) = hasWords ? (.routePairFilters, .routePairOffsets) : (.routePairOffsets, .routePairFilters)
            throw routingFailure(present, 0, "section '\(missing.rawValue)' is missing (the pair filters need both)")
        }
        let offsets = try accessedView(.routePairOffsets, as: UInt64.self)
        let words = view(.routePairFilters, as: UInt64.self)
        try checkOnce(4) {
            if let p = PairFilters.problem(offsets: offsets, windows: windows, words: words.count) {
                throw routingFailure(.routePairOffsets, p.element * 8, p.what)
            }
        }
        return PairFilterView(words: words, offsets: offsets)
    }

    /// The error for an inconsistency at `byte` of a routing section.
    func routingFailure(_ kind: SectionKind, _ byte: Int, _ what: String) -> ProteusError {
        ProteusError(.dataError, path: path, "section '\(kind.rawValue)' at byte \(entry(kind).offset + UInt64(byte)): \(what)")
    }
}

extension PairFilterView {
    /// The filters as a shard's contents, read in place while `owner` lives (the merge).
    func contents(owner: HeroIndex) -> PairFilters {
        PairFilters(words: SectionBlob(mapped: UnsafeRawBufferPointer(words), owner: owner), offsets: Array(offsets))
    }
}
