import Testing
@testable import ProteusIndex

/// A small in-memory hero set: three spans, with a vocabulary of 100 ids whose surprisal
/// grows with the id (low ids behave like function words).
private struct Heroes {
    var spans: [HeroSpan]
    var tokens: [UInt32]
    var scores: [Float]
    var surprisal: [Float] = (0..<100).map { Float($0) / 4 }

    init() {
        // span 0 at 100: function words only; span 1 at 5000: the needle; span 2 at 9000: one rare word.
        tokens = [1, 2, 3, 4,   10, 80, 81, 82, 11,   2, 80, 3]
        scores = tokens.map { Float($0) / 10 }
        spans = [
            HeroSpan(start: 100, firstHero: 0, length: 4, document: 0, score: 0.4),
            HeroSpan(start: 5000, firstHero: 4, length: 5, document: 0, score: 8.2),
            HeroSpan(start: 9000, firstHero: 9, length: 3, document: 1, score: 8.0),
        ]
    }

    func withView<R>(_ body: (HeroView) throws -> R) rethrows -> R {
        try tokens.withUnsafeBufferPointer { t in
            try scores.withUnsafeBufferPointer { s in
                try surprisal.withUnsafeBufferPointer { su in
                    try body(HeroView(spanCount: spans.count, span: { spans[$0] }, tokens: t, scores: s,
                                  spanFeatures: UnsafeBufferPointer(start: nil, count: 0), surprisal: su,
                                  features: UnsafeBufferPointer(start: nil, count: 0),
                                  featureScales: UnsafeBufferPointer(start: nil, count: 0), featureDimension: 0))
                }
            }
        }
    }
}

@Suite struct FinalPassTests {
    @Test func spanHoldingAllRareQuestionTokensRanksFirst() {
        let h = Heroes()
        let ranked = h.withView { view in
            FinalPass().rank(QuestionWeights(questionTokens: [2, 80, 81, 82, 3], heroes: view), over: view, top: 3)
        }
        #expect(ranked.map(\.span.start) == [5000, 9000, 100])
        #expect(ranked[0].matchedTokens == 3)
        #expect(ranked[0].score > ranked[1].score)
    }

    @Test func topLimitsTheAnswerAndUnknownIdsAreIgnored() {
        let h = Heroes()
        let ranked = h.withView { view in
            FinalPass().rank(QuestionWeights(questionTokens: [81, 5000], heroes: view), over: view, top: 1)
        }
        #expect(ranked.count == 1)
        #expect(ranked[0].span.start == 5000)
    }

    @Test func questionOfUnknownIdsIsEmpty() {
        let h = Heroes()
        let q = h.withView { QuestionWeights(questionTokens: [500, 600], heroes: $0) }
        #expect(q.isEmpty)
    }

    @Test func tiesAreBrokenByPosition() {
        var h = Heroes()
        h.spans[2].score = h.spans[1].score
        h.tokens = [1, 2, 3, 4, 50, 50, 50, 50, 50, 50, 50, 50]
        let ranked = h.withView { view in
            var pass = FinalPass()
            pass.priorWeight = 0
            return pass.rank(QuestionWeights(questionTokens: [50], heroes: view), over: view, top: 3)
        }
        #expect(ranked.map(\.span.start) == [5000, 9000, 100])
        #expect(ranked[0].score == ranked[1].score)
    }
}

@Suite struct ContextPackTests {
    private func pack(_ mode: PositionMode, maxTokens: Int = 100) throws -> ContextPack {
        let h = Heroes()
        return try h.withView { view in
            let ranked = FinalPass().rank(QuestionWeights(questionTokens: [80, 81, 82], heroes: view), over: view, top: 3)
            return try ContextPack(ranked: ranked, heroes: view, question: [80, 81, 82], corpusTokens: 20_000,
                                   maxTokens: maxTokens, positions: mode)
        }
    }

    @Test func originalPositionsAreTheDocumentPositionsThenTheQuestionAfterTheCorpus() throws {
        let p = try pack(.original)
        #expect(p.inputIDs == [1, 2, 3, 4, 10, 80, 81, 82, 11, 2, 80, 3, 80, 81, 82])
        #expect(p.positionIDs == [100, 101, 102, 103, 5000, 5001, 5002, 5003, 5004, 9000, 9001, 9002, 20_000, 20_001, 20_002])
        #expect(p.documentIDs == [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, -1, -1, -1])
        #expect(p.heroTokenCount == 12)
    }

    @Test func contiguousRenumbersFromZero() throws {
        let p = try pack(.contiguous)
        #expect(p.positionIDs == (0..<15).map { Int64($0) })
    }

    @Test func scaledPositionsStayStrictlyIncreasingInsideTheWindow() throws {
        let p = try pack(.scaled(max: 64))
        #expect(p.positionIDs.count == 15)
        #expect(zip(p.positionIDs, p.positionIDs.dropFirst()).allSatisfy { $0 < $1 })
        #expect(p.positionIDs.first! >= 0 && p.positionIDs.last! < 64)
        // Relative gaps survive: the needle span sits near a quarter of the window.
        #expect(abs(p.positionIDs[4] - Int64(5000.0 * 64 / 20_003)) <= 1)
    }

    @Test func maxTokensCutsTheWeakestSpansFirst() throws {
        let p = try pack(.original, maxTokens: 8)
        // Best span (5 tokens at 5000) fits; then the 3-token span at 9000; the 4-token one does not.
        #expect(p.positionIDs.prefix(8) == [5000, 5001, 5002, 5003, 5004, 9000, 9001, 9002])
    }

    @Test func scaledWindowTooSmallIsAUsageError() {
        #expect {
            _ = try pack(.scaled(max: 4))
        } throws: { error in
            (error as! ProteusError).description == "'--positions scaled:4' cannot hold 15 tokens; raise MAX or lower '--max-tokens'"
        }
    }

    @Test func positionModeParsing() throws {
        #expect(try PositionMode(parsing: "scaled:4096") == .scaled(max: 4096))
        #expect(throws: ProteusError.self) { try PositionMode(parsing: "scaled:0") }
        #expect(throws: ProteusError.self) { try PositionMode(parsing: "rope") }
    }
}
