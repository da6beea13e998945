import Testing
import Foundation
@testable import ProteusIndex

/// The routing tier's joined-pair filters: which pairs join, that a window's filter holds
/// every joined pair its passages can reach (so bounds stay exact), what they cost, and the
/// exact pass counting a joined question pair only where the text joins it too.
@Suite struct PairFilterTests {
    static let tokenizer = TokenizerFixtures.cl100k
    static let flags = tokenizer.joinFlags()
    /// 60,000 tokens of the essays: prose with its own hyphenated words and rare words in pieces.
    static let tokens: [UInt32] = {
        var t: [UInt32] = []
        TokenizerFixtures.essays.withUnsafeBytes { try! tokenizer.encodeOrdinary($0, into: &t) }
        return Array(t.prefix(60_000))
    }()

    func ids(_ text: String) -> [UInt32] { Self.tokenizer.encodeOrdinary(text) }

    /// Token shapes of their own for each use: they cache what they learn (tests run in parallel).
    static func shapes() -> TokenShapes { TokenShapes(tokenizer: tokenizer, vocabularySize: Int(tokenizer.identity.vocabularySize)) }
    /// Every question token weighs alike (20 bits), so scores show the pairs' part plainly.
    static var lexicon: QuestionTerms.Lexicon {
        let shapes = shapes()
        return QuestionTerms.Lexicon(surprisal: { _ in 20 }, occurs: { _ in true }, spellings: { [$0] },
                                     isContent: { shapes.isContent($0) }, startsWord: { shapes.startsWord($0) },
                                     endsInWord: { shapes.endsInWord($0) }, joinFlags: { shapes.joinFlags($0) })
    }
    static func scorer(_ question: QuestionTerms) -> PassageScorer {
        PassageScorer(question: question, shapes: shapes(), vocabularySize: Int(tokenizer.identity.vocabularySize))
    }
    static func score(_ text: String, _ scorer: PassageScorer) -> Float {
        let t = tokenizer.encodeOrdinary(text)
        return t.withUnsafeBufferPointer { scorer.score($0, 0..<t.count).score }
    }
    /// Whether the pair ending at `i` of `t` is joined, reading `range` (all of `t` by default).
    func joined(_ t: [UInt32], _ i: Int, within range: Range<Int>? = nil) -> Bool {
        t.withUnsafeBufferPointer { JoinedPairs.joined(at: i, in: $0, within: range ?? t.indices, flags: { Self.flags[Int($0)] }) }
    }
    func allJoined(_ text: String) -> Bool { let t = ids(text); return t.indices.dropFirst().allSatisfy { joined(t, $0) } }

    @Test func piecesOfOneWordJoinAndWordsApartDoNot() {
        #expect(ids(" sable-lagoon-prime").count >= 3 && allJoined(" sable-lagoon-prime"))
        #expect(!allJoined(" sable lagoon"))
        // Punctuation holds no letter or digit, so it joins nothing...
        #expect(!allJoined(" lagoon,") && !allJoined(" lagoon-") && !allJoined(" lagoon. The"))
        // ...except a connector standing alone between two words: each of its pairs joins,
        // but only where the run read holds the word beyond it.
        let key = ids(" lively-orchard")
        #expect(key.count == 4 && allJoined(" lively-orchard") && allJoined(" v3.14") && !allJoined(" lively -orchard"))
        #expect(!joined(key, 1, within: 0..<2) && joined(key, 1, within: 0..<3) && !joined(key, 2, within: 1..<4))
        #expect(JoinedPairs.flags(ofTokenBytes: Array("-".utf8)) == JoinedPairs.connector | JoinedPairs.opensPiece)
        #expect(JoinedPairs.flags(ofTokenBytes: Array(",".utf8)) == 0)
        #expect(JoinedPairs.flags(ofTokenBytes: Array("-l".utf8)) == JoinedPairs.canLead | JoinedPairs.canFollow | JoinedPairs.opensPiece)
        #expect(JoinedPairs.flags(ofTokenBytes: Array("agoon".utf8))
                == JoinedPairs.canLead | JoinedPairs.canFollow | JoinedPairs.startsWithWord)
        #expect(JoinedPairs.flags(ofTokenBytes: Array(" sable".utf8)) == JoinedPairs.canLead)
    }

    static func parameters(window: Int) -> BuildParameters {
        var p = RoutingTierTests.parameters(window: window)
        p.chunkLength = 4_096
        return p
    }

    @Test(arguments: [512, 4_096])
    func everyJoinedPairWithinAWindowsReachIsInItsFilter(_ window: Int) throws {
        let source = try MemoryTokenSource(tokens: Self.tokens)
        func build(threads: Int) throws -> RoutingTierContents {
            let pipeline = try BuildPipeline(parameters: Self.parameters(window: window))
            pipeline.pairFlags = Self.flags
            return try #require(try pipeline.run(source: source, threads: threads).routing)
        }
        let tier = try build(threads: 1)
        #expect(try build(threads: 2) == tier)
        let filters = try #require(tier.pairFilters)
        #expect(filters.windowCount == tier.windowCount)
        let words = try filters.words.bytes().withUnsafeBytes { Array($0.bindMemory(to: UInt64.self)) }
        let w = tier.windowTokens, reach = RoutingTierContents.windowReach, t = Self.tokens
        var absent = 0, falsePositives = 0, runs = 0
        var rng = SplitMix(seed: 5)
        try words.withUnsafeBufferPointer { all in
            for k in 0..<tier.windowCount {
                let filter = UnsafeBufferPointer(rebasing: all[Int(filters.offsets[k])..<Int(filters.offsets[k + 1])])
                let lo = max(0, k * w - reach), hi = min(t.count, (k + 1) * w + reach)
                var present = Set<UInt64>()
                for i in (lo + 1)..<hi where joined(t, i, within: lo..<hi) {
                    let h = JoinedPairs.hash(t[i - 1], t[i])
                    present.insert(h)
                    try #require(JoinedPairs.mayContain(h, in: filter), "window \(k): pair at \(i) (chunk edges every 4,096)")
                    // Runs of three and four joined tokens ending here, where a piece opens
                    // after their first token.
                    var start = i - 1
                    while start > lo && i - start + 1 < JoinedPairs.longestRun && joined(t, start, within: lo..<hi) {
                        start -= 1
                        let opens = t[(start + 1)...i].contains { Self.flags[Int($0)] & JoinedPairs.opensPiece != 0 }
                        guard opens else { continue }
                        runs += 1
                        try #require(JoinedPairs.mayContain(JoinedPairs.hash(run: t[start...i]), in: filter),
                                     "window \(k): run \(start)...\(i)")
                    }
                }
                // Joined pairs drawn from the whole text that this window lacks pass rarely.
                for _ in 0..<1_000 {
                    let i = Int(rng.next() % UInt64(t.count - 1)) + 1
                    guard joined(t, i) else { continue }
                    let h = JoinedPairs.hash(t[i - 1], t[i])
                    guard !present.contains(h) else { continue }
                    absent += 1
                    if JoinedPairs.mayContain(h, in: filter) { falsePositives += 1 }
                }
            }
        }
        #expect(runs > 100)
        #expect(absent > 500)
        #expect(Double(falsePositives) / Double(absent) < 0.25, "\(falsePositives) of \(absent)")
        // About 4 bits a distinct run: well under a tenth of a byte per token of prose.
        #expect(Double(filters.words.count) / Double(t.count) < 0.08)
    }

    @Test func aJoinedQuestionPairCountsOnlyWhereTheTextJoinsIt() {
        let question = QuestionTerms(tokens: ids(" sable-lagoon"), lexicon: Self.lexicon)
        #expect(!question.pairs.isEmpty && question.pairJoined.allSatisfy { $0 })
        let scorer = Self.scorer(question)
        func score(_ text: String) -> Float { Self.score(text, scorer) }
        let together = score(" sable-lagoon"), apart = score(" sable- lagoon")
        #expect(together > apart, "\(together) vs \(apart)")
        // The bound of a window whose filter lacks the pair leaves its bonus out.
        let full = scorer.bound(presence: { _ in .present }), withoutPairs = scorer.bound(presence: { _ in .present }, pairMayBe: { _ in false })
        #expect(withoutPairs < full && abs(full - together) < 1e-5)
    }

    @Test func aWordOfManyPiecesCountsAsOneUnbrokenStretch() {
        let question = QuestionTerms(tokens: ids(" sable-lagoon-prime"), lexicon: Self.lexicon)
        let run = try! #require(question.runs.first)
        #expect(question.runs.count == 1 && run.count == 5)
        let scorer = Self.scorer(question)
        func score(_ text: String) -> Float { Self.score(text, scorer) }
        // Two lookalikes side by side hold every token and pair of the key between them, and
        // no more than the longer of their stretches counts.
        let key = score(" sable-lagoon-prime"), sideBySide = score(" sable-lagoon-dusk amber-lagoon-prime")
        #expect(key > sideBySide, "\(key) \(sideBySide)")
        // A window whose filter lacks the whole key bounds it at the heaviest stretch it may
        // hold: the two lookalikes hold three of its five pairs in a row (" s" "able" "-l"
        // "agoon", "-l" "agoon" "-pr" "ime"), and no more than the heaviest three in a row.
        let full = scorer.bound(presence: { _ in .present })
        let noWhole = scorer.bound(presence: { _ in .present }, stretchMayBe: { _, from, to in to - from + 1 <= 3 })
        let bonuses = run.map { PassageScorer.pairBonus * question.pairWeights[$0] / question.totalWeight }
        let heaviestThree = (0...2).map { bonuses[$0..<($0 + 3)].reduce(0, +) }.max()!
        #expect(abs(full - key) < 1e-5 && abs(noWhole - (full - bonuses.reduce(0, +) + heaviestThree)) < 1e-5, "\(full) \(noWhole)")
        #expect(noWhole >= sideBySide - 1e-5 && noWhole < full, "\(noWhole) \(sideBySide)")
    }

    @Test func aConnectorsPairsWeighAsTheWordsBesideIt() {
        let q = QuestionTerms(tokens: ids(" lively-orchard"), lexicon: Self.lexicon)  // " lively" "-" "orch" "ard"
        #expect(q.connectors == [false, true, false, false] && q.runs == [[0, 1, 2]] && q.pairJoined == [true, true, true])
        // "-" alone weighs the minimum, but ties " lively" and "orch" into one compound.
        #expect(q.weights[1] == QuestionTerms.minimumWeight && q.pairWeights[0] == q.weights[0] && q.pairWeights[1] == q.pairBase[2])
    }

    @Test func joinFlagBitsAreWhereJoinedReadsThem() {
        // The branch-free rule against its definition, for every combination of the flags.
        typealias J = JoinedPairs
        #expect(J.canLead == 1 && J.canFollow == 2 && J.connector == 8 && J.startsWithWord == 16)
        var differ = 0
        for before in UInt8(0)..<32 { for a in UInt8(0)..<32 { for b in UInt8(0)..<32 { for after in UInt8(0)..<32 {
            let defined = (a & J.canLead != 0 && (b & J.canFollow != 0 || (b & J.connector != 0 && after & J.startsWithWord != 0)))
                || (a & J.connector != 0 && before & J.canLead != 0 && b & J.startsWithWord != 0)
            if J.joined(before: before, a, b, after: after) != defined { differ += 1 }
        } } } }
        #expect(differ == 0)
    }

    @Test func runsFoundInBlocksAreThoseOfThePairByPairRule() {
        // The build finds joined pairs 64 at a time; here against the rule read pair by pair,
        // on prose and on a dense mix of pieces, connectors and ids past the table, for
        // lengths on either side of a block's edge.
        let flags = Self.flags
        func flag(_ t: UInt32) -> UInt8 { Int(t) < flags.count ? flags[Int(t)] : 0 }
        func reference(_ t: UnsafeBufferPointer<UInt32>) -> [[UInt64]] {
            var out: [[UInt64]] = []
            var joinedBefore = 0, lastPiece = -1
            for i in t.indices.dropFirst() {
                guard JoinedPairs.joined(at: i, in: t, within: t.indices, flags: flag) else { joinedBefore = 0; lastPiece = -1; continue }
                joinedBefore += 1
                if flag(t[i]) & JoinedPairs.opensPiece != 0 { lastPiece = i }
                out.append([UInt64(i - 1), UInt64(i + 1), JoinedPairs.hash(t[i - 1], t[i])])
                guard joinedBefore >= 2 else { continue }
                for length in 3...min(joinedBefore + 1, JoinedPairs.longestRun) where lastPiece > i + 1 - length {
                    out.append([UInt64(i + 1 - length), UInt64(i + 1), JoinedPairs.hash(run: t[(i + 1 - length)...i])])
                }
            }
            return out
        }
        var random = SplitMix(seed: 7)
        let pieces = ids(" sable-lagoon-prime v3.14 os.path x_y-z a--b 0x1f2e, lively-orchard.")
        let mix = (0..<5_000).map { _ in
            random.next() % 16 == 0 ? UInt32(flags.count) + UInt32(random.next() % 3) : pieces[Int(random.next() % UInt64(pieces.count))]
        }
        var compared = 0
        for text in [Array(Self.tokens), mix] {
            for length in [0, 1, 2, 3, 63, 64, 65, 66, 127, 128, 129, 1_000, text.count] {
                text.prefix(length).withUnsafeBufferPointer { t in
                    var found: [[UInt64]] = []
                    flags.withUnsafeBufferPointer { f in
                        JoinedPairs.forEachRun(in: t, flags: f) { found.append([UInt64($0), UInt64($1), $2]) }
                    }
                    #expect(found == reference(t), "length \(length)")
                    compared += found.count
                }
            }
        }
        #expect(compared > 10_000)
    }

    @Test func filtersAreSizedByIntegerLinearCountingThatAgreesWithTheLogarithm() {
        #expect(JoinedPairCollector.linearCount(set: 0) == 0)
        for set in [1, 2, 100, 1_000, 4_096, 9_000, 20_000, 32_768] {
            let m = 65_536.0, exact = -m * log(1 - Double(set) / m)
            #expect(abs(Double(JoinedPairCollector.linearCount(set: set)) - exact) <= 1, "set \(set): \(exact)")
        }
    }
}
