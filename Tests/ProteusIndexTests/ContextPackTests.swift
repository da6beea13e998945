import Testing
@testable import ProteusIndex

@Suite struct ContextPackTests {
    /// Three pieces ranked best-first: an answer at 5000, a hero span at 9000, one at 100.
    private let ranked = [
        PackPiece(start: 5000, tokens: [10, 80, 81, 82, 11], scores: [0, 0, 0, 0, 0], document: 0),
        PackPiece(start: 9000, tokens: [2, 80, 3], scores: [0.2, 8, 0.3], document: 1),
        PackPiece(start: 100, tokens: [1, 2, 3, 4], scores: [0.1, 0.2, 0.3, 0.4], document: 0),
        PackPiece(start: 5002, tokens: [81, 82], scores: [8, 8], document: 0),  // inside the answer: dropped
    ]

    private func pack(_ mode: PositionMode, maxTokens: Int = 100) throws -> ContextPack {
        try ContextPack(ranked: ranked, question: [80, 81, 82], corpusTokens: 20_000, maxTokens: maxTokens, positions: mode)
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
        // Relative gaps survive: the answer sits near a quarter of the window.
        #expect(abs(p.positionIDs[4] - Int64(5000.0 * 64 / 20_003)) <= 1)
    }

    @Test func maxTokensCutsTheWeakestPiecesFirst() throws {
        let p = try pack(.original, maxTokens: 8)
        // The answer (5 tokens at 5000) fits, then the 3-token span at 9000; the 4-token one does not.
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
