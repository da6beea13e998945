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
    func joined(_ a: UInt32, _ b: UInt32) -> Bool { JoinedPairs.joined(Self.flags[Int(a)], Self.flags[Int(b)]) }

    @Test func piecesOfOneWordJoinAndWordsApartDoNot() {
        let key = ids(" sable-lagoon-prime")
        #expect(key.count >= 3)
        #expect(zip(key, key.dropFirst()).allSatisfy { joined($0, $1) }, "\(key)")
        #expect(!joined(ids(" sable").last!, ids(" lagoon").first!))
        // Punctuation holds no letter or digit, so it joins nothing.
        let comma = ids(" lagoon,")
        #expect(!joined(comma[comma.count - 2], comma[comma.count - 1]))
        #expect(JoinedPairs.flags(ofTokenBytes: Array("-l".utf8)) == JoinedPairs.canLead | JoinedPairs.canFollow)
        #expect(JoinedPairs.flags(ofTokenBytes: Array(" sable".utf8)) == JoinedPairs.canLead)
        #expect(JoinedPairs.flags(ofTokenBytes: Array("-".utf8)) == 0)
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
        var absent = 0, falsePositives = 0
        var rng = SplitMix(seed: 5)
        try words.withUnsafeBufferPointer { all in
            for k in 0..<tier.windowCount {
                let filter = UnsafeBufferPointer(rebasing: all[Int(filters.offsets[k])..<Int(filters.offsets[k + 1])])
                let lo = max(0, k * w - reach), hi = min(t.count, (k + 1) * w + reach)
                var present = Set<UInt64>()
                for i in (lo + 1)..<hi where joined(t[i - 1], t[i]) {
                    let h = JoinedPairs.hash(t[i - 1], t[i])
                    present.insert(h)
                    try #require(JoinedPairs.mayContain(h, in: filter), "window \(k): pair at \(i) (chunk edges every 4,096)")
                }
                // Joined pairs drawn from the whole text that this window lacks pass rarely.
                for _ in 0..<1_000 {
                    let i = Int(rng.next() % UInt64(t.count - 1)) + 1
                    guard joined(t[i - 1], t[i]) else { continue }
                    let h = JoinedPairs.hash(t[i - 1], t[i])
                    guard !present.contains(h) else { continue }
                    absent += 1
                    if JoinedPairs.mayContain(h, in: filter) { falsePositives += 1 }
                }
            }
        }
        #expect(absent > 500)
        #expect(Double(falsePositives) / Double(absent) < 0.25, "\(falsePositives) of \(absent)")
        // About 4 bits a distinct pair: well under a tenth of a byte per token of prose.
        #expect(Double(filters.words.count) / Double(t.count) < 0.08)
    }

    @Test func aJoinedQuestionPairCountsOnlyWhereTheTextJoinsIt() {
        let shapes = TokenShapes(tokenizer: Self.tokenizer, vocabularySize: Int(Self.tokenizer.identity.vocabularySize))
        let lexicon = QuestionTerms.Lexicon(surprisal: { _ in 20 }, occurs: { _ in true }, spellings: { [$0] },
                                            isContent: { shapes.isContent($0) }, startsWord: { shapes.startsWord($0) },
                                            endsInWord: { shapes.endsInWord($0) })
        let question = QuestionTerms(tokens: ids(" sable-lagoon"), lexicon: lexicon)
        #expect(!question.pairs.isEmpty && question.pairJoined.allSatisfy { $0 })
        let scorer = PassageScorer(question: question, shapes: shapes, vocabularySize: Int(Self.tokenizer.identity.vocabularySize))
        func score(_ text: String) -> Float {
            let t = ids(text)
            return t.withUnsafeBufferPointer { scorer.score($0, 0..<t.count).score }
        }
        let together = score(" sable-lagoon"), apart = score(" sable- lagoon")
        #expect(together > apart, "\(together) vs \(apart)")
        // The bound of a window whose filter lacks the pair leaves its bonus out.
        let full = scorer.bound(present: { _ in true }), withoutPairs = scorer.bound(present: { _ in true }, pairMayBe: { _ in false })
        #expect(withoutPairs < full && abs(full - together) < 1e-5)
    }
}
