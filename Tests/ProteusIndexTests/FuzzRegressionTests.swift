import Testing
import Foundation
@testable import ProteusIndex

/// Defects found by `tools/fuzz.sh` (phb fix-up mode), each reproduced with a small input.
@Suite struct FuzzRegressionTests {
    typealias F = IndexFileFixtures

    /// fixtures/fuzz/phb/crash-089a9ebf…: an index whose checksums are right but whose
    /// embedded rank table has no token for a single byte. Opening it for queries built a
    /// tokenizer anyway and the first question trapped in `encodeOrdinary` ("'try!'
    /// expression unexpectedly raised an error: tiny has no token for the byte 0x01").
    @Test func embeddedRanksWithoutASingleByteTokenAreRefused() throws {
        let dir = try F.temporaryFolder("fuzz-tokr")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/i.phb"
        var tokens = (0..<256).map { [UInt8($0)] }
        tokens[1] = [] // a gap: byte 0x01 has no token
        tokens += [Array("th".utf8), Array("the".utf8)]
        var c = F.realisticContents()
        c.embeddedRanks = try RankTable(tokensByRank: tokens).serialized()
        try HeroIndexWriter.write(c, to: path, inputs: [])
        try HeroIndex(path: path).verify() // every checksum and structural check passes
        let offset = try HeroIndex(path: path).entry(.tokenizerRanks).offset
        #expect(failure { _ = try QueryEngine(path: path) }
                == "\(path): section 'TOKR' at byte \(offset): the embedded tokenizer has no token for the single byte 0x01")
        // The same table with every byte is accepted and encodes.
        tokens[1] = [1]
        c.embeddedRanks = try RankTable(tokensByRank: tokens).serialized()
        try HeroIndexWriter.write(c, to: path, inputs: [])
        #expect(try QueryEngine(path: path).tokenize("the\u{1}") == [257, 1])
    }
}
