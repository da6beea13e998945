/// Answers a question from the heroes and, when the corpus is at hand, from the corpus
/// windows that hold its rare tokens ("teleportation": the question meets the exact text
/// at its original positions). See `WindowRouter` for the order and the stopping rule.
/// One question at a time: its corpus cursor and token-shape cache are its own (make one
/// per thread to ask in parallel; `--threads` parallelises within a question).
public final class Teleporter {
    public let engine: QueryEngine
    /// The verified corpus, nil to answer from the heroes alone.
    public let corpus: TokenSource?
    let tier: RoutingTier?
    /// How far a passage reaches from its anchor: what the tier's window lists hold past
    /// their edges (so its bounds stay exact), the builds' own reach without a tier.
    private let passageReach: Int
    private let shapes: TokenShapes
    private var cursor: TokenCursor?
    /// Where windows are read ahead on further threads, kept from question to question.
    private var room: WindowPrefetch.Room?

    public init(engine: QueryEngine, corpus: TokenSource?) throws {
        self.engine = engine
        self.corpus = corpus
        tier = try engine.index.routing()
        passageReach = tier?.windowReach ?? RoutingTierContents.windowReach
        shapes = TokenShapes(tokenizer: engine.tokenizer, vocabularySize: engine.heroes.vocabularySize)
        cursor = try corpus?.makeCursor()
    }

    /// The question as the exact pass sees it (ids the corpus never holds are left out).
    public func terms(_ tokens: [UInt32]) -> QuestionTerms {
        let tier = self.tier, shapes = self.shapes, heroes = engine.heroes, corpusTokens = engine.corpusTokens
        let lexicon = QuestionTerms.Lexicon(
            surprisal: heroes.surprisal,
            occurs: { Int($0) < heroes.vocabularySize && (tier == nil || tier!.entry(of: $0) != nil) },
            spellings: { shapes.spellings(of: $0) }, isContent: { shapes.isContent($0) },
            startsWord: { shapes.startsWord($0) }, endsInWord: { shapes.endsInWord($0) }, joinFlags: { shapes.joinFlags($0) },
            lineStartForms: { shapes.lineStartForms(ofWord: $0) },
            isRare: { id in
                guard let tier else { return heroes.surprisal(id) >= QuestionTerms.rareSurprisal }
                // An id the corpus never holds is as rare as can be (a word met only at line starts).
                guard let e = tier.entry(of: id) else { return true }
                return e.windowCount * QuestionTerms.rareWindowShareDivisor <= tier.shape.windowCount
            },
            routesEverywhere: { id in tier?.mayBeAnywhere(shapes.spellings(of: id)) ?? false },
            continuesIdentifier: { shapes.continuesIdentifier($0) },
            clumping: { id in
                guard let tier, let e = tier.entry(of: id) else { return 1 }
                return Self.clumping(surprisal: heroes.surprisal(id), windows: e.windowCount,
                                     of: tier.shape.windowCount, corpusTokens: Double(corpusTokens))
            }, word: { shapes.asciiWord($0) }, inflections: { shapes.inflections(of: $0) },
            caseForms: { shapes.caseForms(ofWord: $0) }, inflectedForms: { shapes.inflectedForms(ofWord: $0) },
            mixedCaseForms: { shapes.mixedCaseForms(ofWord: $0) })
        return QuestionTerms(tokens: tokens, lexicon: lexicon)
    }

    /// Answers scoring less than this share of the best one are not worth reading more
    /// windows for: routing stops once no unread window can hold a passage above it.
    public static let defaultAnswerFloor: Float = 0.4

    /// An answer scoring at least this share of the question's weight, or `boundFoundShare` of
    /// the best window's bound when the question's pairs raise it above that (a billion
    /// tokens held a passage of scattered words with "in San Francisco" at 0.86 where the
    /// needle's phrase scores 1.08 of a bound of 1.20), or holding `wholeCoverage` of the
    /// question's words, is the question's text found. Until one is, routing reads on past
    /// `maxWindows`, up to `searchLimit` windows (and once one is, on through the windows tied
    /// with its window's bound while they still give found answers). In a large corpus the
    /// question's rare words can stand in hundreds of windows that tie on their bound (the
    /// bound knows which words a window holds, not whether they stand together), and a needle
    /// past the first `maxWindows` went unread.
    public static let foundShare: Float = 0.8
    /// Where the question's pairs raise the best window's bound above its weight, a found
    /// answer scores at least this share of that bound: a quote of common words ties in most
    /// windows, and a line that echoes it ("the documentation of bytes" for "the documentation
    /// of chain", 0.81 of the bound) stopped routing before the quote's window (on the 20M
    /// real tokens, 6 of 600 quoted phrases answered more, no other answer changed).
    public static let boundFoundShare: Float = 0.85
    /// An answer holding this share of the question's words' weight is found whatever the
    /// bound (every rare word of a keyword question, in no particular order).
    public static let wholeCoverage: Float = 0.9
    /// An answer holding every slot of a framed question but the frame (`QuestionTerms.framed`)
    /// and at least this share of its weight is found: the frame stands in most windows, and
    /// an answer holding it too is no better an answer.
    public static let frameFoundShare: Float = 0.5
    public static let searchExtension = 16
    /// While nothing is found, routing may also read this share of the corpus's windows when
    /// that is more: a question's words tie in more windows as the corpus grows (a billion
    /// tokens held "San Francisco" in thousands), and a sixteenth of `--rescan` bounds the cost.
    public static let searchShareDivisor = 16

    /// Whether `p` is the question's text found, when the best window's bound is `bestBound`.
    static func isFound(_ p: Passage, bestBound: Float) -> Bool {
        // One holding the question's every word but few of its phrase pairs is a paraphrase
        // of a quote ("Once a virtual table has been created, it can" for "Once the virtual
        // table is created, it can"): found, it stopped routing before the quote's window.
        guard p.coverage < wholeCoverage || p.phraseCoverage >= foundShare else { return false }
        if p.holdsAllButTheFrame && p.coverage >= frameFoundShare { return true }
        let share = bestBound > 1 ? boundFoundShare * bestBound : foundShare  // (over 1, above foundShare)
        return p.scoreAsAsked >= share || (p.scoreAsAsked >= foundShare && p.coverage >= wholeCoverage)
    }

    /// Candidates ranked exactly before routing starts reading: twice the cap and one, enough
    /// for most keyword questions (the median reads 32), where ranking the search limit's 513
    /// bounded hundreds of windows it never read.
    static func firstCandidates(maxWindows: Int) -> Int {
        maxWindows > Int.max / 2 - 1 ? Int.max : 2 * maxWindows + 1
    }

    /// Windows routing reads at most while no answer is found: every window when that is at
    /// most `wholeCorpusFactor` times the limit (on 20M real tokens, 1,231 windows against 512,
    /// phrases of common words tied in more windows than the limit, and reading them all found
    /// 4 more of 200 phrase questions for 0.8 ms more on average).
    public static func searchLimit(maxWindows: Int, windowCount: Int) -> Int {
        let extended = maxWindows.multipliedReportingOverflow(by: searchExtension)
        let limit = max(extended.overflow ? Int.max : extended.partialValue, windowCount / searchShareDivisor)
        return windowCount / wholeCorpusFactor <= limit ? max(limit, windowCount) : limit
    }
    /// See `searchLimit`.
    public static let wholeCorpusFactor = 4
    /// A found answer counts as another value of the best one's key (worth reading on for)
    /// only when it scores at least this share of the best: the values of one key score
    /// alike, while a phrase of common words has many weaker echoes above `foundShare`.
    public static let anotherValueShare: Float = 0.9
    // From the cap on, while the best answer holds `foundShare` of the question's weight but
    // is not found (the best window's bound is higher), the windows that may hold an answer
    // like it (its terms, scoring `anotherValueShare` of it) are read first, likeliest first,
    // then the rest up to the search limit: the other values of a key hold the key's line and
    // not the question's other words, and a billion tokens held 6,700 windows of those words
    // and the key's common pieces that outrank them, far past the search limit. Once an
    // answer is found they are not looked for: the tie rule above reads on for other values,
    // and reading the windows like it as well read more windows for the same answers (20 of
    // 200 questions at 100M tokens, up to 30 windows more each).

    /// Windows decoded ahead of the exact pass per thread: enough to keep every thread busy,
    /// few enough that a stop wastes little.
    static let prefetchDepth = 4

    /// Answers `tokens`: the best `top` passages. `maxWindows` caps the windows read when
    /// routing once an answer holds `foundShare` of the question (else `searchLimit`);
    /// `exhaustive` reads every window instead (`--rescan`), on `threads` threads; routing reads
    /// ahead on `threads` threads and scores in order, so its answers do not depend on them. Routing reads windows
    /// in bound order until no unread window can beat the `top`-th answer, or hold a passage
    /// scoring `floor` × the best answer: every answer above that share is exact, weaker ones
    /// come from the windows read (`floor` 0: exact `top` answers, block-max WAND).
    public func answer(tokens: [UInt32], top: Int, maxWindows: Int, exhaustive: Bool = false,
                       floor: Float = defaultAnswerFloor, threads: Int = 1) throws -> TeleportResult {
        guard top > 0 else { throw "\(.top) must be at least 1" as ParameterError }
        var question = terms(tokens)
        var note: String?
        if question.isEmpty {
            throw ProteusError(.dataError, path: engine.index.path, "none of the question's tokens occurs in the indexed corpus")
        }
        if !question.hasAnchors {
            note = "the question has no rare token to look for; answered from the heroes"
            question = QuestionTerms(allAnchors: question)
        }
        var scorer = PassageScorer(question: question, shapes: shapes, vocabularySize: engine.heroes.vocabularySize,
                                   reach: passageReach)
        if let tokenizer = engine.tokenizer {
            scorer.names = DocumentNames(documents: engine.documents, slotsOfWord: DocumentNames.slotsOfWords(
                question: tokens, terms: question, bytes: { tokenizer.ranks.bytes(ofRank: $0) }))
        }
        var answers = AnswerCollector(top: top, floor: exhaustive ? 0 : floor)
        scanHeroes(scorer, into: &answers)
        var result = TeleportResult(passages: [], mode: .heroes, note: note)
        result.terms = report(question, names: scorer.names)
        if note == nil, let corpus, let cursor {
            let windowTokens = tier?.shape.windowTokens ?? engine.index.parameters.chunkLength
            if exhaustive {
                result.mode = .rescan
                let reader = WindowScan(source: corpus, scorer: scorer, windowTokens: windowTokens, documents: engine.documents)
                result.windowsRead = try reader.scanAll(threads: threads, top: top, into: &answers)
            } else if let tier {
                result.mode = .teleport
                let reader = WindowScan(source: corpus, scorer: scorer, windowTokens: windowTokens, documents: engine.documents)
                let searchLimit = Self.searchLimit(maxWindows: maxWindows, windowCount: tier.shape.windowCount)
                // One past the cap, so a stop at the cap is told from running out of windows.
                let limit = min(searchLimit, tier.shape.windowCount) + 1
                let router = try WindowRouter(scorer: scorer, tier: tier)
                let ranking = WindowRouter.Ranking(router)
                let count = ranking.count
                result.candidateWindows = count
                // The windows asked of the ranking so far: a few more than the cap, more only
                // when routing reads on (`Ranking`), so `list` is a prefix of the reading order.
                var asked = min(limit, Self.firstCandidates(maxWindows: maxWindows))
                var list = ranking.first(asked)
                // Strictly in bound order, so `maxWindows` never spends a read on a window
                // that a better one is still waiting behind (reading a whole frame's windows
                // together once let a needle's window at the corpus's end go unread). Ties are
                // read likeliest first (`WindowRouter.likelihood`), then in window order, so
                // windows of one frame come together and the cursor's decoded frame serves
                // them. The one exception is the windows like the best answer, read first from
                // the cap on (`like`).
                // Further threads decompress the next windows while this one scores.
                var prefetch: WindowPrefetch?, prefetchFrom = 0
                func readAhead(from first: Int) throws {
                    prefetch?.finish()
                    prefetch = threads > 1 && list.count - first > 1
                        ? WindowPrefetch(reader: reader, cursor: cursor, windows: list[first...].map(\.window),
                                         room: try readAheadRoom(corpus, windowTokens: windowTokens, threads: threads))
                        : nil
                    prefetchFrom = first
                }
                try readAhead(from: 0)
                defer { prefetch?.finish() }
                // The lowest bound of a window that gave a new found answer, and when the last
                // such window was read: a window tied with it is as likely to hold another
                // (the other values of a key), so the cap does not stop routing inside that
                // tie while it still gives new ones, one at least every `maxWindows`.
                var foundBound = Float.infinity, lastFound = Int.min / 2
                let bestBound = list.first?.bound ?? 1
                func isFound(_ p: Passage) -> Bool { Self.isFound(p, bestBound: bestBound) }
                func foundAnswers() -> Int {
                    answers.corpusAnswers(scoringAtLeast: Self.anotherValueShare * (answers.best ?? 0), where: isFound)
                }
                var found = foundAnswers()
                // `list[i..<likeEnd]` are the windows like the best answer, once looked for.
                var i = 0, likeEnd = 0, lookedForLike = false
                func firstStart(_ window: Int) -> UInt64 { UInt64(max(0, window * windowTokens - reader.marginBefore)) }
                while i < list.count || (asked < limit && list.count == asked) {
                    if i == list.count {
                        // Reading on past the windows asked for (in bound order: the list was
                        // never rearranged while it is a prefix).
                        asked = min(limit, asked.multipliedReportingOverflow(by: 4).overflow ? limit : 4 * asked)
                        list = ranking.first(asked)
                        try readAhead(from: i)
                        continue
                    }
                    let c = list[i], like = i < likeEnd
                    // A window's passages start at most a read margin before it.
                    if !answers.couldChange(bound: c.bound, startingAtOrAfter: firstStart(c.window)) {
                        guard like else { break }
                        // In their own order: this one is passed over, not the rest.
                        if let prefetch { _ = try? prefetch.window(i - prefetchFrom); prefetch.release(i - prefetchFrom) }
                        i += 1
                        continue
                    }
                    if result.windowsRead >= maxWindows {
                        if result.windowsRead == searchLimit {
                            result.stoppedAtLimit = true
                            if !(answers.bestPassage.map(isFound) ?? false) { result.note = Self.unfoundNote(read: searchLimit, of: count) }
                            break
                        }
                        if !lookedForLike, let best = answers.bestPassage, best.source == .corpus, best.scoreAsAsked >= Self.foundShare, !isFound(best) {
                            lookedForLike = true
                            let read = Set(list[..<i].map(\.window))
                            let windows = router.windows(like: scorer.heldSlots(best), scoringAtLeast: Self.anotherValueShare * best.score,
                                                         limit: searchLimit, excluding: read)
                            result.likeWindows = (windows.count, best.score)
                            if !windows.isEmpty {
                                asked = limit
                                list = Self.likeFirst(read: list[..<i], like: windows,
                                                      candidates: ranking.first(limit + windows.count))
                                likeEnd = i + windows.count
                                try readAhead(from: i)
                                continue
                            }
                        }
                        if let best = answers.bestPassage, isFound(best) {
                            if like && result.windowsRead - lastFound >= maxWindows {
                                // The windows like it stopped giving answers: on in bound order.
                                list = Array(list[..<i]) + Self.inBoundOrder(list[i...])
                                likeEnd = i
                                try readAhead(from: i)
                                continue
                            }
                            if !like && (c.bound < foundBound || result.windowsRead - lastFound >= maxWindows) {
                                result.stoppedAtLimit = true
                                break
                            }
                        }
                    }
                    if let prefetch {
                        let read = try prefetch.window(i - prefetchFrom)
                        try reader.scan(window: c.window, core: read.core, terms: read.terms, into: &answers) { read.tokens($0) }
                        prefetch.release(i - prefetchFrom)
                    } else {
                        try reader.scan(window: c.window, cursor: cursor, into: &answers)
                    }
                    result.windowsRead += 1
                    result.boundsRead.append(c.bound)
                    let foundNow = foundAnswers()
                    if foundNow > found {
                        if !like { foundBound = min(foundBound, c.bound) }
                        lastFound = result.windowsRead
                    }
                    found = foundNow
                    i += 1
                }
                result.finalThreshold = answers.cutoff
            }
        }
        result.passages = answers.answers
        return result
    }

    /// The note for a question whose text routing did not find within its search limit: the
    /// windows that tie on their bound can outnumber it (a phrase of common words), and only
    /// an exhaustive pass is sure to read the one that holds it.
    static func unfoundNote(read: Int, of candidates: Int) -> String {
        "no answer holds most of the question in \(read) of the \(candidates) windows that may hold it (routing's search limit); --rescan reads every window"
    }

    /// The reading order from the cap on: the windows read, the windows like the best answer,
    /// then the other `candidates` in bound order (taken with as many more as there are like
    /// ones, so the list does not run out below the search limit where they overlap).
    static func likeFirst(read: ArraySlice<WindowRouter.Candidate>, like: [WindowRouter.Candidate],
                          candidates: [WindowRouter.Candidate]) -> [WindowRouter.Candidate] {
        let before = Set(read.map(\.window)).union(like.map(\.window))
        return Array(read) + like + candidates.filter { !before.contains($0.window) }
    }

    /// Unread windows back in bound order (once the windows like the best answer stop giving
    /// answers, those not read yet wait for their turn by their bound, not dropped).
    static func inBoundOrder(_ unread: ArraySlice<WindowRouter.Candidate>) -> [WindowRouter.Candidate] {
        unread.sorted(by: WindowRouter.readingOrder)
    }

    /// The read-ahead room for `threads` threads, made on first use.
    private func readAheadRoom(_ corpus: TokenSource, windowTokens: Int, threads: Int) throws -> WindowPrefetch.Room {
        let workers = threads - 1, depth = Self.prefetchDepth * threads
        if let room, room.fits(windowTokens: windowTokens, reach: passageReach, workers: workers, depth: depth) { return room }
        let made = try WindowPrefetch.Room(source: corpus, windowTokens: windowTokens, reach: passageReach, workers: workers, depth: depth)
        room = made
        return made
    }

    private func report(_ q: QuestionTerms, names: DocumentNames) -> [TermReport] {
        let naming = names.named.keys.sorted()
        return (0..<q.count).map { slot in
            var windows: Int? = nil
            if let tier, !tier.mayBeAnywhere(q.spellings[slot]) {
                windows = q.spellings[slot].reduce(0) { $0 + (tier.entry(of: $1)?.windowCount ?? 0) }
            }
            let all = q.lineStartForms.indices.filter { q.lineStartForms[$0].slots.contains(slot) }
            let forms = all.filter { !q.formIsInflected[$0] }
            var term = TermReport(ids: q.spellings[slot], weight: q.weights[slot], anchor: q.anchors[slot],
                              frame: q.framed && !q.required[slot], windows: windows,
                              lineStartForms: forms.filter { !q.formIsGlued[$0] }.map { q.lineStartForms[$0].ids },
                              gluedForms: forms.filter { q.formIsGlued[$0] }.map { q.lineStartForms[$0].ids },
                              inflections: q.inflectedSlots.filter { $0.value == slot }.keys.sorted().map { ($0, q.inflectionCredits[$0]!) },
                              inflectedForms: all.filter { q.formIsInflected[$0] }.map { q.lineStartForms[$0].ids })
            let documents = naming.filter { names.named[$0]!.slots.contains(slot) }
            term.namingDocuments = documents.count
            term.namingExamples = documents.prefix(3).map { engine.documents.name($0) }
            return term
        }
    }

    /// What the pack holds, best first: the answers, then every hero span, spans holding
    /// more of the question first, then by their DNA score.
    public func packPieces(_ result: TeleportResult, tokens: [UInt32]) -> [PackPiece] {
        let heroes = engine.heroes
        var pieces = result.passages.map { p in
            PackPiece(start: p.start, tokens: p.tokens, scores: [Float](repeating: 0, count: p.tokens.count),
                      document: engine.documents.document(containing: p.start) ?? 0)
        }
        let scorer = PassageScorer(question: terms(tokens), shapes: shapes, vocabularySize: heroes.vocabularySize, reach: passageReach)
        var ranked: [(score: Float, span: HeroSpan)] = []
        for s in 0..<heroes.spanCount {
            let span = heroes.span(s)
            let first = Int(span.firstHero)
            let run = UnsafeBufferPointer(rebasing: heroes.tokens[first..<(first + Int(span.length))])
            ranked.append((scorer.score(run, 0..<run.count).score, span))
        }
        ranked.sort { a, b in
            if a.score != b.score { return a.score > b.score }
            if a.span.score != b.span.score { return a.span.score > b.span.score }
            return a.span.start < b.span.start
        }
        for (_, span) in ranked {
            let first = Int(span.firstHero), n = Int(span.length)
            pieces.append(PackPiece(start: span.start, tokens: Array(heroes.tokens[first..<(first + n)]),
                                    scores: Array(heroes.scores[first..<(first + n)]), document: Int(span.document)))
        }
        return pieces
    }

    /// The passages of the hero spans (a span's edges are the edges of its text).
    private func scanHeroes(_ scorer: PassageScorer, into answers: inout AnswerCollector) {
        let heroes = engine.heroes
        for s in 0..<heroes.spanCount {
            let span = heroes.span(s)
            let first = Int(span.firstHero)
            let tokens = UnsafeBufferPointer(rebasing: heroes.tokens[first..<(first + Int(span.length))])
            let range = span.start..<(span.start + UInt64(span.length))
            scorer.scan(tokens, base: span.start, anchorsIn: 0..<tokens.count, source: .heroes,
                        document: { _ in (range, Int(span.document)) }, into: &answers)
        }
    }
}
