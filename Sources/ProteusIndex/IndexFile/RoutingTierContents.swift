/// The routing tier of an index as plain values: which corpus windows hold each token id,
/// so that a question can be taken to the few windows that hold its rare tokens.
///
/// The corpus is cut into windows of `windowTokens` tokens. Every id that occurs in the
/// corpus has a directory entry (its id and the number of windows holding it, sorted by id;
/// stored compactly by `RoutingDirectory`); ids in at most `listLimit` windows also have an
/// exact window list in `postings` (`PostingList`: Elias–Fano or a bitmap, whichever is
/// smaller). Ids in more windows have no list: they are in most windows, so a list would
/// cost bytes and route nowhere.
public struct RoutingTierContents: Equatable, Sendable {
    /// The sections of a tier, all present or all absent.
    static let sectionKinds: [SectionKind] = [.routeIDs, .routeRanks, .routeWindowCounts, .routeSkips, .routePostings]
    /// A window's list records the ids this many tokens past each of its edges too: a
    /// passage anchored in the window reaches no further (`PassageScorer.reach` is at most
    /// this), so the lists give an exact bound on what such a passage can hold. It is what
    /// builds record in META (`IndexMetadata.windowReach`); queries take the recorded one.
    public static let windowReach = 128
    /// The reach of an index whose META does not record one (built before it was recorded).
    static let unrecordedWindowReach = 64

    /// Tokens per window (the last window may hold fewer).
    public var windowTokens: Int = 0
    /// Number of windows.
    public var windowCount: Int = 0
    /// Ids held by more windows than this have no list.
    public var listLimit: Int = 0
    /// Every id that occurs in the corpus, increasing.
    public var ids: [UInt32] = []
    /// The number of windows holding each id of `ids`.
    public var windowCounts: [UInt32] = []
    /// The window lists, in directory order.
    public var postings = SectionBlob()
    /// Line breaks before each window, so an answer's line in its document costs two window
    /// reads however long the document; nil when the build had no tokenizer to count them.
    public var lineStarts: [UInt64]?
    /// Each window's joined-pair filter; nil when the build had no tokenizer to tell them.
    public var pairFilters: PairFilters?

    public init() {}

    /// Whether entry `k` has a list.
    func hasList(_ k: Int) -> Bool { Int(windowCounts[k]) <= listLimit }

    /// Bytes of the list of directory entry `k` (0 when it has none).
    func listBytes(_ k: Int) -> Int {
        hasList(k) ? PostingList.byteCount(count: Int(windowCounts[k]), windows: windowCount) : 0
    }
}

/// The numbers that describe a routing tier, kept in the index metadata so that the reader
/// can check the tier's sections against them on open.
public struct RoutingTierShape: Equatable, Sendable {
    public var windowTokens: Int
    public var windowCount: Int
    public var listLimit: Int

    public init(windowTokens: Int, windowCount: Int, listLimit: Int) {
        self.windowTokens = windowTokens
        self.windowCount = windowCount
        self.listLimit = listLimit
    }
}

extension RoutingTierContents {
    var shape: RoutingTierShape { RoutingTierShape(windowTokens: windowTokens, windowCount: windowCount, listLimit: listLimit) }
}
