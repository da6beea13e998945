import Testing
import Foundation
@testable import ProteusIndex

/// Questions routed to the corpus windows that hold their rare tokens, on text that never
/// repeats (the essays once, in cl100k tokens) and on a haystack made only of lookalikes.
/// Serialized: the tests share the `planted` fixture's teleporter, which answers one question
/// at a time (TSan found two tests racing on its token-shape cache).
@Suite(.serialized) struct TeleportTests {
    static let tokenizer = TokenizerFixtures.cl100k

    /// A corpus in memory, its index on disk, and a teleporter over both.
    final class Fixture {
        let folder: String
        let tokens: [UInt32]
        let source: MemoryTokenSource
        let engine: QueryEngine
        let teleporter: Teleporter

        /// `pairFilters`: the tier keeps each window's joined pairs, as `build` with a tokenizer does.
        init(_ tokens: [UInt32], window: Int = 2_048, buffer: Int = 1_024, threads: Int = 1, pairFilters: Bool = false, tag: String) throws {
            self.tokens = tokens
            folder = try IndexFileFixtures.temporaryFolder(tag)
            source = try MemoryTokenSource(name: "corpus", tokens: tokens, tokenizer: TeleportTests.tokenizer.identity)
            var p = BuildParameters()
            p.bufferTokens = buffer
            p.routeWindow = window
            let pipeline = try BuildPipeline(parameters: p)
            if pairFilters { pipeline.pairFlags = TeleportTests.tokenizer.joinFlags() }
            var contents = try pipeline.run(source: source, threads: threads)
            contents.tokenizer = TeleportTests.tokenizer.identity
            contents.splitPattern = TeleportTests.tokenizer.pattern.rawValue
            contents.embeddedRanks = EmbeddedRanks.encode(TeleportTests.tokenizer.ranks)
            try HeroIndexWriter.write(contents, to: folder + "/i.phb", inputs: [])
            engine = try QueryEngine(path: folder + "/i.phb")
            teleporter = try Teleporter(engine: engine, corpus: source)
        }

        deinit { try? FileManager.default.removeItem(atPath: folder) }

        func ask(_ question: String, top: Int = 5, maxWindows: Int = 64, exhaustive: Bool = false,
                 floor: Float = Teleporter.defaultAnswerFloor, threads: Int = 1) throws -> TeleportResult {
            try teleporter.answer(tokens: TeleportTests.tokenizer.encodeOrdinary(question), top: top,
                                  maxWindows: maxWindows, exhaustive: exhaustive, floor: floor, threads: threads)
        }

        func text(_ p: Passage) -> String {
            String(decoding: (try? p.tokens.withUnsafeBufferPointer { try TeleportTests.tokenizer.decode($0) }) ?? [], as: UTF8.self)
        }
    }

    /// The essays once, in cl100k tokens.
    static var essayTokens: [UInt32] { tokenizer.encodeOrdinary(String(decoding: TokenizerFixtures.essays, as: UTF8.self)) }

    /// Inserts `text` into `tokens` at the last sentence end at or before `near`; returns where.
    static func insert(_ text: String, atSentenceEndBefore near: Int, into tokens: inout [UInt32]) -> Int {
        let period = tokenizer.encodeOrdinary(".")[0]
        var at = near
        while tokens[at - 1] != period { at -= 1 }
        tokens.insert(contentsOf: tokenizer.encodeOrdinary(text), at: at)
        return at
    }

    /// The essays once (about 150k tokens of prose that never repeats) with `facts` inserted
    /// at sentence ends near the given depths; returns the tokens and each fact's position.
    static func essays(with facts: [(String, Double)]) -> (tokens: [UInt32], positions: [Int]) {
        var tokens = tokenizer.encodeOrdinary(String(decoding: TokenizerFixtures.essays, as: UTF8.self))
        var positions: [Int] = []
        let period = tokenizer.encodeOrdinary(".")[0]
        for (fact, depth) in facts.sorted(by: { $0.1 < $1.1 }) {
            var at = Int(Double(tokens.count) * depth)
            while at > 0 && tokens[at - 1] != period { at -= 1 }
            let needle = tokenizer.encodeOrdinary(" " + fact)
            tokens.insert(contentsOf: needle, at: at)
            positions = positions.map { $0 >= at ? $0 + needle.count : $0 }
            positions.append(at)
        }
        let order = facts.enumerated().sorted { $0.element.1 < $1.element.1 }.map(\.offset)
        var byFact = [Int](repeating: 0, count: facts.count)
        for (k, i) in order.enumerated() { byFact[i] = positions[k] }
        return (tokens, byFact)
    }

    static let facts: [(fact: String, question: String, value: String)] = [
        ("The secret password of the lighthouse keeper is marmalade-harpoon-42.", "What is the secret password of the lighthouse keeper?", "marmalade-harpoon-42"),
        ("Professor Okonkwo keeps her telescope in a barn near Tromsø.", "Where does Professor Okonkwo keep her telescope?", "Tromsø"),
        ("The special magic uuid for quiet-harbor is: 2f1b7c9e-4d3a-4c61-9b8e-0a5d6e7f8a9b.", "What is the special magic uuid for quiet-harbor?", "2f1b7c9e-4d3a-4c61-9b8e-0a5d6e7f8a9b"),
        ("The annual yak festival in Ulaanbaatar starts on the ninth of July.", "When does the yak festival in Ulaanbaatar start?", "ninth of July"),
    ]
    static let depths = [0.0, 0.37, 0.71, 0.999]

    static let planted: Fixture = {
        let (tokens, _) = essays(with: zip(facts.map(\.fact), depths).map { ($0, $1) })
        return try! Fixture(tokens, tag: "teleport-essays")
    }()

    @Test func plantedFactsInUniqueTextAreTheFirstAnswerAtTheirExactPosition() throws {
        let f = Self.planted
        let (_, positions) = Self.essays(with: zip(Self.facts.map(\.fact), Self.depths).map { ($0, $1) })
        for (i, fact) in Self.facts.enumerated() {
            let r = try f.ask(fact.question)
            #expect(r.mode == .teleport)
            let best = try #require(r.passages.first)
            #expect(best.source == .corpus)
            #expect(f.text(best).contains(fact.value), "\(fact.question) → \(f.text(best))")
            // The positions are the corpus's own: the passage is the tokens found there.
            #expect(Array(f.tokens[Int(best.start)..<Int(best.end)]) == best.tokens)
            #expect(best.start <= UInt64(positions[i]) + 1 && best.end >= UInt64(positions[i] + 10))
            print("routing: \(fact.question) read \(r.windowsRead) of \(r.candidateWindows) candidates, bounds \(r.boundsRead.prefix(6)), threshold \(r.finalThreshold ?? -1)")
        }
    }

    @Test func routingReadsPastTheCapOnlyWhileNoAnswerHoldsMostOfTheQuestion() throws {
        let f = Self.planted
        // Found in the first windows: the cap holds.
        let found = try f.ask(Self.facts[1].question, maxWindows: 1)
        #expect(found.passages[0].score >= Teleporter.foundShare)
        #expect(found.windowsRead == 1 && found.stoppedAtLimit && found.note == nil)
        // Two facts in one question: no passage holds most of it, so routing reads on, up to
        // `searchExtension` times the cap (with no answer floor, so that no bound falls below
        // the answers worth reading for before).
        let split = try f.ask(Self.facts[1].question + " " + Self.facts[3].question, maxWindows: 1, floor: 0)
        #expect(split.passages[0].score < Teleporter.foundShare)
        #expect(split.windowsRead == Teleporter.searchExtension && split.stoppedAtLimit, "\(split.windowsRead)")
        // And says so: a better passage may wait in a window it did not read.
        #expect(split.note == Teleporter.unfoundNote(read: Teleporter.searchExtension, of: split.candidateWindows))
        #expect(split.boundsRead == split.boundsRead.sorted(by: >))
    }

    @Test func theCapDoesNotStopInsideATieWithAWindowThatHeldAFoundAnswer() throws {
        // Three values of one key, each in a window of its own among filler: they tie on
        // their bound, and once the first is found the others are read too, each new one
        // found within `maxWindows` windows of the last. The filler's lines (11 tokens each)
        // put each value more than the reach from its window's edges (at 296, 207 and 228 of
        // 512), so no neighbouring window's list holds it too and ties with it.
        let line = "The weather report for the valley said nothing new today.\n"
        let values = ["1111111", "2222222", "3333333"]
        let text = zip(values, [120, 130, 140]).map { value, lines in
            String(repeating: line, count: lines) + "One of the special magic numbers for amber-falcon is: \(value).\n"
        }.joined() + String(repeating: line, count: 120)
        let f = try Fixture(Self.tokenizer.encodeOrdinary(text), window: 512, buffer: 64, tag: "teleport-ties")
        let r = try f.ask("What are the special magic numbers for amber-falcon?", maxWindows: 1)
        #expect(r.passages[0].score >= Teleporter.foundShare)
        for v in values { #expect(r.passages.contains { $0.source == .corpus && f.text($0).contains(v) }, "\(v)") }
        #expect(r.windowsRead >= 3 && Set(r.boundsRead).count == 1, "\(r.windowsRead) \(r.boundsRead)")
    }

    @Test func fromTheCapTheWindowsLikeTheBestAnswerAreReadFirst() throws {
        // The question's common words ("mentioned in the provided text") stand in a third of
        // the windows, and so the first value's window and twenty windows holding the key's
        // pieces apart outrank the other values' windows, which hold only the key's line. In
        // bound order the search stops (at 16 windows, for a cap of 1) before those; from the
        // cap, the windows that may hold a line like the best answer come first, the likeliest
        // (the key whole) before the key's pieces apart.
        let plain = String(repeating: "The weather report for the valley said nothing new today.\n", count: 40)
        let asides = String(repeating: "As mentioned in the provided text, all of it is true.\n", count: 6)
        let apart = "The amber-fox ran.\nThe peregrine-falcon flew.\nSpecial magic numbers for the rest.\n"
        let values = ["1111111", "2222222", "3333333"]
        let line = { (v: String) in "One of the special magic numbers for amber-falcon is: \(v).\n" }
        var text = plain + plain + asides + line(values[0]) + plain + plain
        for v in values.dropFirst() { text += plain + line(v) + plain + plain }
        for _ in 0..<20 { text += asides + apart + plain + plain + plain + plain + plain + plain }
        let f = try Fixture(Self.tokenizer.encodeOrdinary(text), window: 512, buffer: 64, pairFilters: true, tag: "teleport-like")
        let question = "What are all the special magic numbers for amber-falcon mentioned in the provided text?"
        let every = try f.ask(question, maxWindows: Int.max)
        let valueWindows = try values.map { v in try #require(every.passages.first { f.text($0).contains(v) }).start / 512 }
        // The order the test is about: more than the search limit of windows before the second value's.
        let scorer = PassageScorer(question: f.teleporter.terms(Self.tokenizer.encodeOrdinary(question)),
                                   shapes: TokenShapes(tokenizer: f.engine.tokenizer, vocabularySize: f.engine.heroes.vocabularySize),
                                   vocabularySize: f.engine.heroes.vocabularySize)
        let order = try WindowRouter(scorer: scorer, tier: #require(f.teleporter.tier)).candidates(limit: 1_000).best.map { UInt64($0.window) }
        let searchLimit = Teleporter.searchLimit(maxWindows: 1, windowCount: f.teleporter.tier!.shape.windowCount)
        try #require(order.first == valueWindows[0] && order.firstIndex(of: valueWindows[1])! > searchLimit, "\(order) \(valueWindows)")
        let r = try f.ask(question, maxWindows: 1)
        // The best answer holds most of the question's weight, but not of the best window's
        // bound: it is not found, and without the windows like it the search would end at its limit.
        let best = try #require(r.passages.first)
        try #require(best.score >= Teleporter.foundShare && best.score < Teleporter.foundShare * every.boundsRead[0], "\(best.score)")
        for v in values { #expect(r.passages.contains { $0.source == .corpus && f.text($0).contains(v) }, "\(v)") }
        #expect(r.windowsRead <= searchLimit, "\(r.windowsRead)")
        let like = try #require(r.likeWindows)
        #expect(like.count >= 2 && like.forScore == best.score)
        #expect(every.likeWindows == nil)  // no cap reached
        // Read ahead on a second thread, restarted where the order changes: the same reading.
        let two = try f.ask(question, maxWindows: 1, threads: 2)
        #expect(two.passages == r.passages && two.boundsRead == r.boundsRead)
    }

    @Test func fromTheCapOnNoCandidateWindowIsDropped() {
        // The reading order once the windows like the best answer are looked for. Those came
        // first and the rest of the held list after them, so where they overlapped the list
        // ran out below the search limit; once they stopped giving answers the unread ones
        // were dropped (20M real tokens: a phrase question stopped after 382 of 512 windows).
        typealias C = WindowRouter.Candidate
        let all = (0..<20).map { C(window: $0, bound: Float(20 - $0)) }
        let like = [12, 10, 14, 11].map { all[$0] }  // likeliest first, not in bound order
        let list = Teleporter.likeFirst(read: all[..<4], like: like, candidates: Array(all.prefix(16 + like.count)))
        #expect(list.map(\.window) == [0, 1, 2, 3, 12, 10, 14, 11] + [4, 5, 6, 7, 8, 9, 13, 15, 16, 17, 18, 19])
        // Two of them read, then on in bound order: the other two wait for their turn.
        let back = Array(list[..<6]) + Teleporter.inBoundOrder(list[6...])
        #expect(back.map(\.window) == [0, 1, 2, 3, 12, 10] + [4, 5, 6, 7, 8, 9, 11, 13, 14, 15, 16, 17, 18, 19])
    }

    @Test func aQuestionsFirstWordIsReadAsInsideASentence() throws {
        // "Tromsø" alone is "T" "rom" "s" "ø"; inside a sentence, as the fact has it, " Trom" "s" "ø".
        let f = Self.planted
        let tokens = try f.engine.tokenize("Tromsø telescope barn")
        #expect(tokens == Self.tokenizer.encodeOrdinary(" Tromsø telescope barn"))
        let r = try f.teleporter.answer(tokens: tokens, top: 5, maxWindows: 64)
        #expect(f.text(r.passages[0]).contains("Tromsø") && r.passages[0].score >= Teleporter.foundShare, "\(r.passages.map(f.text))")
        #expect(try f.ask("Tromsø telescope barn").passages[0].score < r.passages[0].score)
        // A question that opens with anything but a letter or a digit is taken as it is.
        #expect(try f.engine.tokenize("\"Tromsø\"?") == Self.tokenizer.encodeOrdinary("\"Tromsø\"?"))
    }

    @Test func aMiddlingWordIsMetGluedToACharacter() throws {
        // Perl's documentation holds "len" as "C<len>", one token "<len". Here " socket" stands
        // in about a tenth of the windows (neither rare nor everywhere), and code holds it as
        // "(socket", one token, in as many: the form raises only the bounds of the windows
        // holding it, so it counts, and the line that holds the word glued beats its lookalike.
        var tokens = Self.essayTokens
        let count = tokens.count
        for k in 0..<16 {
            _ = Self.insert(" The socket was closed by close(socket) at once.", atSentenceEndBefore: count * (2 * k + 1) / 34, into: &tokens)
        }
        _ = Self.insert(" The stoat sat by the weir and read close(socket) twice.", atSentenceEndBefore: count * 2 / 3, into: &tokens)
        _ = Self.insert(" The stoat sat by the weir and read the letter twice.", atSentenceEndBefore: count / 3, into: &tokens)
        let f = try Fixture(tokens, window: 1_024, pairFilters: true, tag: "teleport-glued-middling")
        let question = try f.engine.tokenize("socket stoat weir")
        let terms = f.teleporter.terms(question)
        let socket = try #require(f.teleporter.tier?.entry(of: Self.tokenizer.encodeOrdinary(" socket")[0])).windowCount
        let windows = try #require(f.teleporter.tier).shape.windowCount
        #expect(socket * QuestionTerms.rareWindowShareDivisor > windows && socket * 2 < windows, "\(socket) of \(windows)")
        #expect(terms.lineStartForms.map(\.ids).contains(Self.tokenizer.encodeOrdinary("(socket")), "\(terms.lineStartForms)")
        for exhaustive in [false, true] {
            let r = try f.teleporter.answer(tokens: question, top: 5, maxWindows: 64, exhaustive: exhaustive)
            let best = try #require(r.passages.first)
            #expect(f.text(best).contains("weir and read close(socket)") && best.coverage >= 0.99, "\(r.passages.map(f.text))")
        }
    }

    @Test func aWordAtALineStartIsMetAsTheWordItIs() throws {
        // " gambrel" is " gamb" "rel"; a dictionary's headword "Gambrel" opening a line is "G"
        // "amb" "rel". Routed (with the pair filters that bound the form), rescanned, and
        // bounded by the router at least as high as it scores.
        var tokens = Self.essayTokens
        var at = Self.insert("\nGambrel, n. The hind leg of a horse; a stick crooked like it.\n", atSentenceEndBefore: tokens.count * 3 / 5, into: &tokens)
        // A list's line opens with its word as typed, and " wrath" is one token, "wr" "ath"
        // here; "Wrathful" holds the pieces of "Wrath" but is another word.
        let list = "\nwrath, anger, ire: belligerence aroused by a wrong.\nWrathful, a. Very angry; raging.\n"
        _ = Self.insert(list, atSentenceEndBefore: tokens.count / 5, into: &tokens)
        at += Self.tokenizer.encodeOrdinary(list).count
        #expect(Array(Self.tokenizer.encodeOrdinary("Gambrel").prefix(1)) != Self.tokenizer.encodeOrdinary(" Gambrel").prefix(1).map { $0 })
        let f = try Fixture(tokens, window: 1_024, pairFilters: true, tag: "teleport-line-start")
        let question = try f.engine.tokenize("gambrel horse")  // " gambrel horse", as the CLI asks it
        let terms = f.teleporter.terms(question)
        let lineStart = terms.lineStartForms.indices.filter { !terms.formIsGlued[$0] }.map { terms.lineStartForms[$0].ids }
        #expect(lineStart == ["gambrel", "Gambrel", "Horse"].map(Self.tokenizer.encodeOrdinary), "\(terms.lineStartForms)")
        // And glued to a character before it, where the corpus holds the pieces (".g" "amb" "rel").
        #expect(terms.lineStartForms.indices.filter { terms.formIsGlued[$0] }.map { terms.lineStartForms[$0].ids }
                == [Self.tokenizer.encodeOrdinary(".gambrel")], "\(terms.lineStartForms)")
        // " gamb" stands nowhere but in the form: still a term of its own.
        #expect(terms.count == 3 && terms.slot(of: question[0]) == nil && terms.anchors[0])
        // A piece of the form that an earlier term spells is that term, not one more of no
        // spelling ("Nutgall Gallnut" weighed its "nut" twice, the second never met).
        let repeated = try f.engine.tokenize("rel gambrel")
        #expect(repeated == Self.tokenizer.encodeOrdinary(" rel") + question.prefix(2))
        let again = f.teleporter.terms(repeated)
        #expect(again.count == 2 && again.slot(of: repeated[2]) == 0 && again.slot(of: repeated[0]) == 0, "\(again.spellings)")
        // A middling word of one token (" founders" in 39 windows of 147) has them too: its
        // pieces stand in many windows, but raise the bounds only of those whose pair filters
        // may hold them joined. "found" "ers" as a list's line opens with it, "Found" "ers" as
        // a sentence does. (Its inflected forms of several tokens are another matter: " found"
        // "ered".)
        let founders = f.teleporter.terms(Self.tokenizer.encodeOrdinary(" founders"))
        #expect(founders.lineStartForms.indices.filter { !founders.formIsInflected[$0] }.map { founders.lineStartForms[$0].ids }
                == ["founders", "Founders"].map(Self.tokenizer.encodeOrdinary), "\(founders.lineStartForms)")
        // A rare one (" horse" in 2 windows) has them all: here the corpus holds only "Horse".
        #expect(f.teleporter.terms(Self.tokenizer.encodeOrdinary(" horse")).lineStartForms.map(\.ids) == [Self.tokenizer.encodeOrdinary("Horse")])
        let wrath = try f.teleporter.answer(tokens: try f.engine.tokenize("wrath aroused"), top: 5, maxWindows: 64)
        #expect(wrath.passages.first.map(f.text)?.hasPrefix("wrath, anger, ire") == true && wrath.passages[0].coverage >= 0.99,
                "\(wrath.passages.map(f.text))")
        #expect(!wrath.passages.contains { f.text($0).hasPrefix("Wrathful") }, "\(wrath.passages.map(f.text))")
        func ask(exhaustive: Bool = false, maxWindows: Int = 64, floor: Float = Teleporter.defaultAnswerFloor) throws -> TeleportResult {
            try f.teleporter.answer(tokens: question, top: 5, maxWindows: maxWindows, exhaustive: exhaustive, floor: floor)
        }
        let routed = try ask()
        let best = try #require(routed.passages.first)
        #expect(f.text(best).hasPrefix("Gambrel, n.") && best.coverage >= 0.99, "\(routed.passages.map(f.text))")
        #expect(best.start == UInt64(at + 1))
        let rescan = try ask(exhaustive: true), exact = try ask(maxWindows: Int.max, floor: 0)
        #expect(exact.passages == rescan.passages && rescan.passages.first == best)
        let scorer = PassageScorer(question: terms, shapes: TokenShapes(tokenizer: f.engine.tokenizer, vocabularySize: f.engine.heroes.vocabularySize),
                                   vocabularySize: f.engine.heroes.vocabularySize)
        let router = try WindowRouter(scorer: scorer, tier: try #require(f.teleporter.tier))
        #expect(router.bound(window: at / 1_024) >= best.score)
    }

    @Test func aLongValueComesBackWhole() throws {
        let r = try Self.planted.ask(Self.facts[2].question)
        #expect(Self.planted.text(r.passages[0]) == " " + Self.facts[2].fact)
    }

    @Test func windowsAreReadStrictlyInBoundOrder() throws {
        // Reading a frame's windows together once spent the window cap on lower bounds while
        // a better window waited: a needle at a 10M-token corpus's end went unread.
        var sawSeveralBounds = false
        for fact in Self.facts + [("", "How do startups raise money from investors?", "")] {
            let r = try Self.planted.ask(fact.question)
            #expect(r.boundsRead == r.boundsRead.sorted(by: >), "\(fact.question): \(r.boundsRead)")
            sawSeveralBounds = sawSeveralBounds || Set(r.boundsRead).count > 1
        }
        #expect(sawSeveralBounds)
    }

    @Test func amongWindowsTiedOnTheirBoundTheOneHoldingTheWordAsAskedIsReadFirst() throws {
        // An earlier window holds "Justified" at a line start ('Just' 'ified', a form of
        // " justified" crediting it whole), a later one " justified" itself: they tie on their
        // bound, and window order alone read the form's window first.
        var tokens = Self.essayTokens
        let form = Self.insert("\nJustified by necessity, the council met at dawn.\n", atSentenceEndBefore: tokens.count / 4, into: &tokens) / 2_048
        let asAsked = Self.insert(" The council met at dawn, justified by necessity.", atSentenceEndBefore: tokens.count * 3 / 4, into: &tokens) / 2_048
        let f = try Fixture(tokens, pairFilters: true, tag: "teleport-likelihood")
        let question = "council justified by necessity"
        let scorer = PassageScorer(question: f.teleporter.terms(Self.tokenizer.encodeOrdinary(question)),
                                   shapes: TokenShapes(tokenizer: f.engine.tokenizer, vocabularySize: f.engine.heroes.vocabularySize),
                                   vocabularySize: f.engine.heroes.vocabularySize)
        let router = try WindowRouter(scorer: scorer, tier: #require(f.teleporter.tier))
        try #require(form < asAsked && router.bound(window: form) == router.bound(window: asAsked),
                     "windows \(form) and \(asAsked): bounds \(router.bound(window: form)), \(router.bound(window: asAsked))")
        #expect(router.likelihood(window: asAsked) > router.likelihood(window: form))
        let order = router.candidates(limit: 8).best.map(\.window)
        #expect(try #require(order.firstIndex(of: asAsked)) < #require(order.firstIndex(of: form)), "\(order)")
    }

    @Test func theBestCandidatesAreEveryCandidatesExactBoundsInOrder() throws {
        // The router bounds windows exactly only in the order of their bounds by the lists
        // and stops once the next cannot enter the best `limit`: the result must be the
        // prefix of every candidate window bounded exactly and sorted (ties: likeliest first,
        // then lower).
        // The essays, and lookalike key lines whose pieces stand in every window, where only
        // the pair filters tell the windows apart.
        let filtered = try Fixture(Self.lookalikes.tokens, window: 512, pairFilters: true, tag: "teleport-candidates")
        let cases = [(Self.planted, Self.facts.map(\.question) + ["How do startups raise money from investors?"]),
                     (filtered, Self.lookalikes.keys.prefix(4).map { "What is the special magic number for \($0)?" })]
        var filtersLowered = 0
        for (f, questions) in cases {
            let t = f.teleporter
            let tier = try #require(t.tier)
            let shapes = TokenShapes(tokenizer: f.engine.tokenizer, vocabularySize: f.engine.heroes.vocabularySize)
            for question in questions {
                let scorer = PassageScorer(question: t.terms(Self.tokenizer.encodeOrdinary(question)), shapes: shapes,
                                           vocabularySize: f.engine.heroes.vocabularySize)
                let router = try WindowRouter(scorer: scorer, tier: tier)
                let windows = (0..<tier.shape.windowCount).filter(router.isCandidate)
                func byBound(_ a: WindowRouter.Candidate, _ b: WindowRouter.Candidate) -> Bool {
                    if a.bound != b.bound { return a.bound > b.bound }
                    return a.likelihood != b.likelihood ? a.likelihood > b.likelihood : a.window < b.window
                }
                let every = windows.map { w in
                    WindowRouter.Candidate(window: w, bound: router.bound(window: w), likelihood: router.likelihood(window: w))
                }.sorted(by: byBound)
                #expect(every.count > 8)
                // The integer keys the router sorts order as the candidates do.
                let byLists = windows.map { WindowRouter.Candidate(window: $0, bound: router.listBound(window: $0)) }
                #expect(byLists.map { WindowRouter.readingKey(bound: $0.bound, window: $0.window) }.sorted().map(WindowRouter.candidate)
                        == byLists.sorted(by: WindowRouter.readingOrder))
                for w in windows {
                    #expect(router.bound(window: w) <= router.listBound(window: w), "\(question), window \(w)")
                    if router.bound(window: w) < router.listBound(window: w) { filtersLowered += 1 }
                }
                for limit in [0, 1, 3, 8, every.count, every.count + 5] {
                    let some = router.candidates(limit: limit)
                    #expect(some.count == every.count)
                    #expect(some.best == Array(every.prefix(limit)), "\(question), limit \(limit)")
                }
                // One ranking asked for more as routing reads on, and for fewer again, ranks the same.
                let ranking = WindowRouter.Ranking(router)
                for limit in [1, 3, 8, every.count, every.count + 5, 2, every.count] {
                    #expect(ranking.first(limit) == Array(every.prefix(limit)), "\(question), asked again for \(limit)")
                }
            }
        }
        // The pair filters lower some bounds, so the order by the lists is not the answer.
        #expect(filtersLowered > 0)
    }

    @Test func routedAnswersEqualTheRescanWhereRoutingReadsEveryWindow() throws {
        let f = Self.planted
        for fact in Self.facts + [("", "How do startups raise money from investors?", "")] {
            let exact = try f.ask(fact.question, maxWindows: Int.max, floor: 0)
            let routed = try f.ask(fact.question)
            let rescan = try f.ask(fact.question, exhaustive: true)
            let rescan2 = try f.ask(fact.question, exhaustive: true, threads: 2)
            #expect(rescan.mode == .rescan && rescan.windowsRead == (f.tokens.count + 2_047) / 2_048)
            #expect(exact.passages == rescan.passages, "\(fact.question)")
            #expect(rescan2.passages == rescan.passages)
            // With the default floor, every answer above the floor is the rescan's.
            let floor = Teleporter.defaultAnswerFloor * rescan.passages[0].score
            let above = rescan.passages.prefix { $0.score >= floor }
            #expect(Array(routed.passages.prefix(above.count)) == Array(above), "\(fact.question)")
        }
    }

    @Test func answersDoNotDependOnTheBuildThreads() throws {
        let (tokens, _) = Self.essays(with: [(Self.facts[0].fact, 0.5)])
        let one = try Fixture(tokens, threads: 1, tag: "teleport-t1"), two = try Fixture(tokens, threads: 2, tag: "teleport-t2")
        #expect(try IndexFileFixtures.read(one.folder + "/i.phb") == IndexFileFixtures.read(two.folder + "/i.phb"))
        #expect(try one.ask(Self.facts[0].question).passages == two.ask(Self.facts[0].question).passages)
    }

    @Test func routedAnswersDoNotDependOnTheQueryThreads() throws {
        // More threads decompress windows ahead of the exact pass; it still reads them in
        // bound order and stops where one thread stops, including at a cap with windows in
        // flight, and scores edge anchors from the neighbours' tokens read ahead.
        let lookalikes = try Fixture(Self.lookalikes.tokens, window: 4_096, tag: "teleport-threads")
        var sawEdgeAnchors = false
        for (f, questions) in [(Self.planted, Self.facts.map(\.question) + ["How do startups raise money from investors?"]),
                               (lookalikes, Self.lookalikes.keys.prefix(3).map { "What is the special magic number for \($0)?" })] {
            for question in questions {
                for maxWindows in [1, 2, 64] {
                    let one = try f.ask(question, maxWindows: maxWindows, threads: 1)
                    for threads in [2, 3] {
                        let more = try f.ask(question, maxWindows: maxWindows, threads: threads)
                        #expect(more.mode == .teleport)
                        #expect(more.passages == one.passages, "\(question), \(threads) threads, cap \(maxWindows)")
                        #expect(more.windowsRead == one.windowsRead && more.boundsRead == one.boundsRead
                                && more.stoppedAtLimit == one.stoppedAtLimit)
                    }
                }
            }
            let scorer = PassageScorer(question: f.teleporter.terms(Self.tokenizer.encodeOrdinary(questions[0])),
                                       shapes: TokenShapes(tokenizer: f.engine.tokenizer, vocabularySize: f.engine.heroes.vocabularySize),
                                       vocabularySize: f.engine.heroes.vocabularySize)
            let size = try #require(f.teleporter.tier).shape.windowTokens
            let reader = WindowScan(source: f.source, scorer: scorer, windowTokens: size, documents: f.engine.documents)
            for w in 1..<(f.tokens.count / size) {
                let core = try f.source.makeCursor().read(start: UInt64(w * size), count: size)
                let edges = reader.edgeReach(start: UInt64(w * size), count: core.count, anchors: scorer.anchorPositions(core, in: 0..<core.count))
                sawEdgeAnchors = sawEdgeAnchors || (edges.before > 0 && edges.after > 0)
            }
        }
        #expect(sawEdgeAnchors)
    }

    /// A corpus whose cursors fail reading the 2,048-token window starting at `failing` (not
    /// the few tokens a neighbour's edge anchor reads from it).
    final class FailingSource: TokenSource {
        let base: MemoryTokenSource
        let failing: UInt64
        init(_ base: MemoryTokenSource, failing: UInt64) { self.base = base; self.failing = failing }
        var name: String { "failing" }
        var tokenCount: UInt64 { base.tokenCount }
        var storedWidth: TokenWidth { .u32 }
        var documents: DocumentTable { base.documents }
        var tokenizer: TokenizerIdentity? { base.tokenizer }
        var formatName: String { "memory" }
        func makeCursor() throws -> TokenCursor { Cursor(try base.makeCursor(), failing: failing) }

        final class Cursor: TokenCursor {
            let base: TokenCursor, failing: UInt64
            init(_ base: TokenCursor, failing: UInt64) { self.base = base; self.failing = failing }
            func read(start: UInt64, count: Int) throws -> UnsafeBufferPointer<UInt32> {
                if start == failing && count == 2_048 { throw ProteusError(.dataError, path: "failing", "frame at token \(start) is corrupt") }
                return try base.read(start: start, count: count)
            }
        }
    }

    @Test func aWindowThatFailsToReadFailsTheQuestionOnlyIfRoutingReachesIt() throws {
        let f = Self.planted
        let question = "How do startups raise money from investors?"
        let scorer = PassageScorer(question: f.teleporter.terms(Self.tokenizer.encodeOrdinary(question)),
                                   shapes: TokenShapes(tokenizer: f.engine.tokenizer, vocabularySize: f.engine.heroes.vocabularySize),
                                   vocabularySize: f.engine.heroes.vocabularySize)
        let order = try WindowRouter(scorer: scorer, tier: #require(f.teleporter.tier)).candidates(limit: 64).best.map(\.window)
        let cap = 3
        let expected = try f.ask(question, maxWindows: cap)
        let n = expected.windowsRead
        try #require(n >= 2 && order.count > n, "\(n) windows read of \(order.count)")
        for threads in [1, 2] {
            // The second window read fails: the question fails with the reader's error.
            let read = try Teleporter(engine: f.engine, corpus: FailingSource(f.source, failing: UInt64(order[1] * 2_048)))
            #expect(throws: ProteusError.self) {
                try read.answer(tokens: Self.tokenizer.encodeOrdinary(question), top: 5, maxWindows: cap, threads: threads)
            }
            // The next window fails: it may have been read ahead, but routing stopped before it.
            let ahead = try Teleporter(engine: f.engine, corpus: FailingSource(f.source, failing: UInt64(order[n] * 2_048)))
            let r = try ahead.answer(tokens: Self.tokenizer.encodeOrdinary(question), top: 5, maxWindows: cap, threads: threads)
            #expect(r.passages == expected.passages && r.windowsRead == n)
        }
    }

    /// 6,000 lines "One of the special magic numbers for adj-noun-word is: N." whose keys
    /// share their pieces (20 adjectives, 20 nouns, 15 words).
    static let lookalikes: (tokens: [UInt32], keys: [String], values: [String]) = {
        let adjectives = "amber brave calm dusty eager faint gentle hollow icy jolly keen lively mellow nimble olive proud quiet rapid silent tidy".split(separator: " ")
        let nouns = "anchor badger candle dragon engine falcon garden harbor island jacket kettle lantern meadow needle orchard pebble quarry ribbon saddle tunnel".split(separator: " ")
        let words = "apricot breeze cobalt dolphin emerald fjord glacier horizon indigo juniper kayak lagoon magnet nectar obsidian".split(separator: " ")
        var rng = SplitMix(seed: 11)
        var seen = Set<String>(), keys: [String] = [], values: [String] = []
        var text = ""
        while keys.count < 6_000 {
            let key = "\(adjectives[Int(rng.next() % 20)])-\(nouns[Int(rng.next() % 20)])-\(words[Int(rng.next() % 15)])"
            guard seen.insert(key).inserted else { continue }
            let value = String(1_000_000 + rng.next() % 9_000_000)
            keys.append(key); values.append(value)
            text += "One of the special magic numbers for \(key) is: \(value).\n"
        }
        return (tokenizer.encodeOrdinary(text), keys, values)
    }()

    @Test func everyAskedKeyOfALookalikeHaystackIsTheFirstAnswer() throws {
        let h = Self.lookalikes
        let f = try Fixture(h.tokens, window: 4_096, tag: "teleport-lookalikes")
        for k in stride(from: 7, to: h.keys.count, by: 997) {
            let question = "What is the special magic number for \(h.keys[k]) mentioned in the provided text?"
            for exhaustive in [false, true] {
                let r = try f.ask(question, top: 1, exhaustive: exhaustive)
                let best = try #require(r.passages.first)
                #expect(f.text(best).contains("for \(h.keys[k]) is: \(h.values[k])."), "\(question) → \(f.text(best))")
            }
        }
    }

    /// With pair filters, a window's line breaks are counted from its tokens' join flags
    /// (`WindowCollector`), without them from a bit per id: the same lines either way.
    @Test(arguments: [false, true])
    func linesAndColumnsAreCountedInTheDecodedDocument(pairFilters: Bool) throws {
        // Two documents of numbered lines; windows of 512 tokens, so lines cross windows.
        let a = (1...400).map { "line \($0) of the first document, with some words" }.joined(separator: "\n")
        let b = (1...300).map { "second \($0): é, ü and more" }.joined(separator: "\n")
        let ta = Self.tokenizer.encodeOrdinary(a), tb = Self.tokenizer.encodeOrdinary(b)
        var documents = DocumentTable()
        documents.append(name: "a", length: UInt64(ta.count))
        documents.append(name: "b", length: UInt64(tb.count))
        let source = try MemoryTokenSource(tokens: ta + tb, documents: documents)
        var p = BuildParameters()
        p.bufferTokens = 256
        p.routeWindow = 512
        let pipeline = try BuildPipeline(parameters: p)
        pipeline.lineBreaks = Self.tokenizer.lineBreakCounts()
        if pairFilters { pipeline.pairFlags = Self.tokenizer.joinFlags() }
        var contents = try pipeline.run(source: source)
        #expect((contents.routing?.pairFilters != nil) == pairFilters)
        contents.tokenizer = Self.tokenizer.identity
        let folder = try IndexFileFixtures.temporaryFolder("lines-\(pairFilters)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try HeroIndexWriter.write(contents, to: folder + "/l.phb", inputs: [])
        let tier = try #require(try HeroIndex(path: folder + "/l.phb").routing())
        let lines = try #require(try LineLocator(corpus: source, tier: tier, tokenizer: Self.tokenizer))
        var asked: [(position: UInt64, documentStart: UInt64)] = [], answered: [(line: Int, column: Int?)] = []
        for (tokens, text, start) in [(ta, a, UInt64(0)), (tb, b, UInt64(ta.count))] {
            for k in stride(from: 0, to: tokens.count, by: 97) {
                let before = String(decoding: try Array(tokens[..<k]).withUnsafeBufferPointer { try Self.tokenizer.decode($0) }, as: UTF8.self)
                let line = before.components(separatedBy: "\n").count
                let column = (before.components(separatedBy: "\n").last ?? "").count + 1
                let found = try lines.location(of: start + UInt64(k), documentStart: start)
                #expect(found.line == line && found.column == column, "token \(k): \(found) vs \(line):\(column)")
                asked.append((start + UInt64(k), start))
                answered.append(found)
            }
            _ = text
        }
        // Located on several threads, each with its own cursor: the same, in order.
        for threads in [2, 3] {
            let parallel = try lines.locations(of: asked, threads: threads)
            #expect(parallel.map(\.line) == answered.map(\.line) && parallel.map(\.column) == answered.map(\.column))
        }
    }

    @Test func aQuestionOfStopWordsIsAnsweredFromTheHeroesAndSaysSo() throws {
        let r = try Self.planted.ask("Is it that of the?")
        #expect(r.mode == .heroes && r.windowsRead == 0)
        #expect(r.note == "the question has no rare token to look for; answered from the heroes")
        #expect(r.passages.allSatisfy { $0.source == .heroes })
    }

    @Test func withoutTheCorpusTheHeroesAnswer() throws {
        let f = Self.planted
        let heroesOnly = try Teleporter(engine: f.engine, corpus: nil)
        let r = try heroesOnly.answer(tokens: Self.tokenizer.encodeOrdinary(Self.facts[0].question), top: 5, maxWindows: 64)
        #expect(r.mode == .heroes && r.windowsRead == 0 && r.passages.allSatisfy { $0.source == .heroes })
    }
}
