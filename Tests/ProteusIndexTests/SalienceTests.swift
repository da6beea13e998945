import Testing
import Foundation
@testable import ProteusIndex

@Suite struct SalienceTests {
    @Test func smallCorpusIsSampledWhole() {
        let s = StatisticsSample(tokenCount: 150_000, sampleTokens: 1_000_000)
        #expect(s.blocks.map(\.start) == [0, 65_536, 131_072])
        #expect(s.blocks.map(\.count) == [65_536, 65_536, 18_928])
        #expect(s.tokenCount == 150_000)
    }

    @Test func largeCorpusIsSampledInEvenlySpacedBlocks() {
        let s = StatisticsSample(tokenCount: 10_000_000, sampleTokens: 262_144)
        #expect(s.blocks.count == 4)
        #expect(s.blocks.first!.start == 0)
        #expect(s.blocks.last!.start + UInt64(s.blocks.last!.count) == 10_000_000)
        let gaps = zip(s.blocks, s.blocks.dropFirst()).map { $1.start - $0.start }
        #expect(gaps.max()! - gaps.min()! <= 1)
        #expect(StatisticsSample(tokenCount: 10_000_000, sampleTokens: 1_000).blocks.map(\.count) == [1_000])
    }

    @Test func surprisalFollowsSmoothedCounts() throws {
        let source = try MemoryTokenSource(tokens: [0, 0, 0, 1, 2, 0, 1, 0])
        let sample = StatisticsSample(tokenCount: 8, sampleTokens: 100)
        let stats = try CorpusStatistics(source: source, sample: sample, minimumVocabulary: 5)
        #expect(stats.vocabularySize == 5)
        #expect(stats.counts == [5, 2, 1, 0, 0, 0])
        // P(id) = (count + 0.5) / (8 + 0.5 * 6)
        for (id, c) in [5.0, 2, 1, 0, 0, 0].enumerated() {
            #expect(abs(Double(stats.surprisal[id]) - -log2((c + 0.5) / 11)) < 1e-5)
        }
        #expect(stats.surprisal[3] == stats.surprisal.max())
        #expect(stats.surprisal[5] == stats.surprisal[3], "the overflow slot counts as never seen")
    }

    @Test func idsBeyondTheTokenizerWidenTheVocabulary() throws {
        let source = try MemoryTokenSource(tokens: [1, 9, 1])
        let stats = try CorpusStatistics(source: source, sample: StatisticsSample(tokenCount: 3, sampleTokens: 10),
                                         minimumVocabulary: 4)
        #expect(stats.vocabularySize == 10)
        #expect(stats.counts.count == 11)
        #expect(stats.counts[9] == 1)
    }

    @Test func burstyAndRareTokensScoreHigher() throws {
        // Corpus rates: id 0 common, id 1 rare, id 2 never seen.
        let surprisal: [Float] = [1, 10, 20, 20]
        let tables = ScoreTables(surprisal: surprisal, vocabularySize: 3, chunkLength: 16,
                                 useSurprisal: true, burstiness: true)
        let scorer = ChunkScorer(tables: tables, candidateLimit: 16, championLimit: 16, bonusMargin: 0)
        let result = ChunkResult(chunkLength: 16, candidateLimit: 16)
        let chunk: [UInt32] = [0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 2, 0, 0, 0, 0, 0]
        chunk.withUnsafeBufferPointer { scorer.score($0, index: 0, start: 0, into: result) }
        // score = 2 * s + log2(count) - log2(16)
        let common: Float = 2 * 1 + log2(Float(12)) - 4
        #expect(abs(result.scores[0] - common) < 1e-5)
        let rare: Float = 2 * 10 + log2(Float(3)) - 4
        #expect(abs(result.scores[4] - rare) < 1e-5)
        #expect(result.scores[10] == 2 * 20 - 4)
        #expect(Array(result.tokens[0..<16]) == chunk)
        // Counts were cleared: the same chunk scores the same again.
        let again = result.scores[0..<16].map { $0 }
        chunk.withUnsafeBufferPointer { scorer.score($0, index: 1, start: 16, into: result) }
        #expect(Array(result.scores[0..<16]) == again)
    }

    @Test func aShortLastChunkScoresAsAWholeOne() {
        // Once it was raised by log2(chunk / length) bits and took the buffer from the rest.
        let tables = ScoreTables(surprisal: [3, 3], vocabularySize: 1, chunkLength: 1_024,
                                 useSurprisal: true, burstiness: true)
        let scorer = ChunkScorer(tables: tables, candidateLimit: 8, championLimit: 4, bonusMargin: 0)
        let result = ChunkResult(chunkLength: 1_024, candidateLimit: 8)
        let whole = [UInt32](repeating: 0, count: 1_024), short = [UInt32](repeating: 0, count: 256)
        short.withUnsafeBufferPointer { scorer.score($0, index: 1, start: 1_024, into: result) }
        let shortScore = result.scores[0]
        whole.withUnsafeBufferPointer { scorer.score($0, index: 0, start: 0, into: result) }
        #expect(shortScore == tables.perId[0] + tables.perCount[256])
        #expect(result.scores[0] == tables.perId[0] + tables.perCount[1_024])
    }

    @Test func identifierShapedTokensScoreFourBitsMore() {
        let plain = ScoreTables(surprisal: [3, 3, 3], vocabularySize: 2, chunkLength: 16, useSurprisal: true, burstiness: false)
        let shaped = ScoreTables(surprisal: [3, 3, 3], vocabularySize: 2, chunkLength: 16, useSurprisal: true,
                                 burstiness: false, identifierShapes: [false, true])
        #expect(shaped.perId[0] == plain.perId[0])
        #expect(shaped.perId[1] == plain.perId[1] + ScoreTables.shapeBonus)
        let t = TokenizerFixtures.cl100k
        let shapes = t.identifierShapes()
        func shape(_ text: String) -> Bool {
            let ids = t.encodeOrdinary(text)
            precondition(ids.count == 1, "\(text) is \(ids.count) tokens")
            return shapes[Int(ids[0])]
        }
        #expect(shape("123") && shape("456") && shape("-based") && shape("-word"))
        #expect(!shape(" the") && !shape("1") && !shape("abc") && !shape("-") && !shape(" face") && !shape("ff"))
    }

    @Test func cooccurringTokensGetSimilarFeatures() throws {
        // Ids 1 and 2 appear in the same kind of contexts (ids 10-13), id 3 elsewhere (20-33).
        var tokens: [UInt32] = []
        var rng = SystemRandomNumberGenerator()
        func context() -> UInt32 { UInt32(10 + Int.random(in: 0..<4, using: &rng)) }
        for k in 0..<3_000 {
            tokens += [context(), context(), k % 2 == 0 ? 1 : 2, context(), context()]
            func other() -> UInt32 { UInt32(20 + Int.random(in: 0..<14, using: &rng)) }
            tokens += [other(), other(), 3, other(), other()]
        }
        let source = try MemoryTokenSource(tokens: tokens)
        let sample = StatisticsSample(tokenCount: UInt64(tokens.count), sampleTokens: 1 << 20)
        let f = try TokenFeatures.learn(source: source, sample: sample, vocabularySize: 40, dimension: 32)
        func cos(_ a: Int, _ b: Int) -> Float { (0..<32).reduce(0) { $0 + f.values[a * 32 + $1] * f.values[b * 32 + $1] } }
        #expect(abs(cos(1, 1) - 1) < 0.02, "rows are unit length up to int8 rounding")
        #expect(cos(1, 2) > 0.8)
        #expect(cos(1, 2) > cos(1, 3) + 0.5)
        // Never-seen ids get their own random direction; the overflow row is zero.
        #expect(abs(cos(39, 39) - 1) < 0.02)
        #expect(f.values[40 * 32..<41 * 32].allSatisfy { $0 == 0 })
    }

    @Test func embeddingsAreCenteredAndNormalized() {
        let e = TokenEmbeddings(rows: 3, dimension: 2, values: [1, 0, 3, 0, 2, 2], label: "embeddings:t:0")
        let f = TokenFeatures.from(e, vocabularySize: 4)
        // Mean (2, 2/3): rows become (-1, -2/3), (1, -2/3), (0, 4/3), normalized.
        #expect(abs(f.values[0] - -1 / (1 + 4.0 / 9).squareRoot()) < 0.01)
        #expect(abs(f.values[4] - 0) < 0.01 && abs(f.values[5] - 1) < 0.01)
        #expect(f.quantized[5] == 127)
    }

    @Test func focusGatesBoostTheirTokensAndLearnedGatesFollowChampions() {
        let d = 4
        let a: [Float] = [1, 0, 0, 0], b: [Float] = [0, 1, 0, 0]
        let gates = SalienceGates(count: 2, dimension: d, focusRows: [a])
        #expect(gates.maximumBonus == SalienceGates.focusWeight)
        let onFocus = a.withUnsafeBufferPointer { gates.bonus($0.baseAddress!) }
        let offFocus = b.withUnsafeBufferPointer { gates.bonus($0.baseAddress!) }
        #expect(abs(onFocus - SalienceGates.focusWeight * (0.5 + 0.5 * 5 / 6)) < 1e-5)
        #expect(offFocus < 0.5)
        // An unattracted champion seeds the free gate, weakly; confirming it raises confidence.
        b.withUnsafeBufferPointer { gates.learn(champions: [($0.baseAddress!, 3)]) }
        #expect(gates.confidences == [1, 1 - SalienceGates.decay])
        let tilted: [Float] = [0, 0.8, 0.6, 0]
        tilted.withUnsafeBufferPointer { gates.learn(champions: [($0.baseAddress!, 1)]) }
        #expect(gates.confidences[1] > 1 - SalienceGates.decay)
        let p = gates.prototypeValues
        #expect(p[0..<4] == [1, 0, 0, 0], "focus gates do not move")
        #expect(p[6] > 0 && p[5] < 1, "the learned gate moved toward the new champion")
        #expect(abs(p[4..<8].reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
    }
}
