/// One chunk's cheap scores and its candidate positions: the part of the build that runs in
/// parallel, one scorer per worker thread.
final class ChunkResult {
    var index = 0
    /// Absolute position of `tokens[0]`.
    var start: UInt64 = 0
    var count = 0
    /// A copy of the chunk's tokens: the cursor's buffer is only valid until its next read,
    /// and the sequential stage needs them for span neighbours.
    let tokens: UnsafeMutableBufferPointer<UInt32>
    /// Cheap score (surprisal + burstiness) of every token.
    let scores: UnsafeMutableBufferPointer<Float>
    /// Positions (in the chunk) of the best `candidateLimit` tokens by cheap score.
    let candidates: UnsafeMutableBufferPointer<Int32>
    var candidateCount = 0
    /// The chunk's champions as `ChampionKey`s, best first (filled by a `ChampionPicker`).
    let champions: UnsafeMutableBufferPointer<UInt64>
    var championCount = 0
    /// Sorted distinct ids of each routing window of the chunk, back to back (empty without
    /// a routing tier), and how many belong to each window.
    var windowIDs: [UInt32] = []
    var windowIDCounts: [Int] = []
    /// Line breaks in each routing window (empty without a tokenizer to count them).
    var windowLineBreaks: [UInt32] = []
    /// Each routing window's joined-pair filter, back to back, and its word count (empty
    /// without a tokenizer to tell joined pairs).
    var windowPairWords: [UInt64] = []
    var windowPairWordCounts: [Int] = []

    init(chunkLength: Int, candidateLimit: Int) {
        tokens = .allocate(capacity: chunkLength)
        scores = .allocate(capacity: chunkLength)
        candidates = .allocate(capacity: candidateLimit + 1)  // +1: the selector writes branch-free
        champions = .allocate(capacity: candidateLimit)
    }

    /// Picks the champions with `picker` and keeps them here.
    func pickChampions(with picker: ChampionPicker) {
        let picked = picker.pick(self)
        _ = UnsafeMutableBufferPointer(rebasing: champions[0..<picked.count]).initialize(from: picked)
        championCount = picked.count
    }

    deinit {
        tokens.deallocate()
        scores.deallocate()
        candidates.deallocate()
        champions.deallocate()
    }
}

/// Scores chunks with `ScoreTables`: count each id in the chunk, score each token with two
/// lookups, then clear the counts by walking the chunk again (the chunk is its own touched
/// list, so clearing costs the chunk, not the vocabulary).
final class ChunkScorer {
    let tables: ScoreTables
    private let counts: UnsafeMutablePointer<UInt32>
    private let selector: CandidateSelector
    let candidateLimit: Int
    let championLimit: Int
    let bonusMargin: Float
    /// Tokens per routing window and the collector of what the tier records of each (nil: no
    /// routing tier).
    let routeWindow: Int
    private let windows: WindowCollector?

    /// `candidateLimit` positions at most per chunk; of them at most `championLimit` become
    /// champions, after gate bonuses of at most `bonusMargin` bits.
    init(tables: ScoreTables, candidateLimit: Int, championLimit: Int, bonusMargin: Float, routeWindow: Int = 0,
         lineBreaks: [UInt8]? = nil, pairFlags: [UInt8]? = nil) {
        self.tables = tables
        self.candidateLimit = candidateLimit
        self.championLimit = championLimit
        self.bonusMargin = bonusMargin
        self.routeWindow = routeWindow
        windows = routeWindow > 0
            ? WindowCollector(vocabularySize: tables.vocabularySize, lineBreaks: lineBreaks, pairFlags: pairFlags) : nil
        counts = .allocate(capacity: tables.vocabularySize + 1)
        counts.initialize(repeating: 0, count: tables.vocabularySize + 1)
        selector = CandidateSelector(chunkLength: tables.chunkLength)
    }

    deinit { counts.deallocate() }

    func score(_ window: UnsafeBufferPointer<UInt32>, index: Int, start: UInt64, into r: ChunkResult) {
        let n = window.count
        r.index = index
        r.start = start
        r.count = n
        guard n > 0, let src = window.baseAddress else {
            r.candidateCount = 0
            r.windowIDs.removeAll(keepingCapacity: true)
            r.windowIDCounts.removeAll(keepingCapacity: true)
            r.windowPairWords.removeAll(keepingCapacity: true)
            r.windowPairWordCounts.removeAll(keepingCapacity: true)
            return
        }
        let top = UInt32(tables.vocabularySize)
        let perId = UnsafePointer(tables.perId.baseAddress!)
        let perCount = UnsafePointer(tables.perCount.baseAddress!)
        let dst = r.tokens.baseAddress!, out = r.scores.baseAddress!
        let histogram = selector.histogram
        if tables.burstiness {
            let counts = self.counts
            for i in 0..<n { counts[Int(min(src[i], top))] &+= 1 }
            for i in 0..<n {
                let t = src[i]
                let id = Int(min(t, top))
                let s = perId[id] + perCount[Int(counts[id])]
                dst[i] = t
                out[i] = s
                histogram[CandidateSelector.bucket(s)] &+= 1
            }
            for i in 0..<n { counts[Int(min(src[i], top))] = 0 }
        } else {
            for i in 0..<n {
                let t = src[i]
                let s = perId[Int(min(t, top))]
                dst[i] = t
                out[i] = s
                histogram[CandidateSelector.bucket(s)] &+= 1
            }
        }
        r.candidateCount = selector.select(scores: out, count: n, limit: candidateLimit, keep: championLimit,
                                           margin: bonusMargin, into: r.candidates.baseAddress!)
        collectWindowIDs(window, into: r)
    }

    /// The routing tier's part: the distinct ids of each window (windows divide the chunk)
    /// and of its reach on both sides, within this chunk (the builder adds what the reach
    /// finds in the neighbouring chunks).
    private func collectWindowIDs(_ window: UnsafeBufferPointer<UInt32>, into r: ChunkResult) {
        r.windowIDs.removeAll(keepingCapacity: true)
        r.windowIDCounts.removeAll(keepingCapacity: true)
        r.windowLineBreaks.removeAll(keepingCapacity: true)
        r.windowPairWords.removeAll(keepingCapacity: true)
        r.windowPairWordCounts.removeAll(keepingCapacity: true)
        guard let windows else { return }
        let reach = RoutingTierContents.windowReach
        var start = 0
        while start < window.count {
            let end = min(start + routeWindow, window.count)
            let from = max(0, start - reach)
            let run = UnsafeBufferPointer(rebasing: window[from..<min(window.count, end + reach)])
            let (n, breaks) = windows.collect(run, countingLinesIn: (start - from)..<(end - from), ids: &r.windowIDs,
                                              filterWords: &r.windowPairWords, filterWordCounts: &r.windowPairWordCounts)
            r.windowIDCounts.append(n)
            if windows.lineBreaks != nil { r.windowLineBreaks.append(breaks) }
            start = end
        }
    }
}
