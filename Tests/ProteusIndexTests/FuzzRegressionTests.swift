import Testing
import Foundation
@testable import ProteusIndex

/// Defects found by `tools/fuzz.sh` (phb fix-up mode), each reproduced with a small input.
@Suite struct FuzzRegressionTests {
    typealias F = IndexFileFixtures

    /// Found as a crash input (crash-089a9ebf…, format 1, since retired from the seeds): an index whose checksums are right but whose
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
        c.embeddedRanks = try EmbeddedRanks.encode(RankTable(tokensByRank: tokens))
        try HeroIndexWriter.write(c, to: path, inputs: [])
        try HeroIndex(path: path).verify() // every checksum and structural check passes
        let offset = try HeroIndex(path: path).entry(.tokenizerRanks).offset
        #expect(failure { _ = try QueryEngine(path: path) }
                == "\(path): section 'TOKR' at byte \(offset): the embedded tokenizer has no token for the single byte 0x01")
        // The same table with every byte is accepted and encodes.
        tokens[1] = [1]
        c.embeddedRanks = try EmbeddedRanks.encode(RankTable(tokensByRank: tokens))
        try HeroIndexWriter.write(c, to: path, inputs: [])
        // (A question opening with punctuation is encoded as it is: one opening with a word
        // gets a space before it, which this table's first 256 tokens cover too.)
        #expect(try QueryEngine(path: path).tokenize("\u{1}the") == [1, 257])
        #expect(try QueryEngine(path: path).tokenize("the\u{1}") == [32, 257, 1])
    }

    /// Found as a crash input (crash-a94d0dec…, format 1, retired): checksums right, every span inside the hero
    /// tokens and naming an existing document, but a span's positions lie before its
    /// document's start. The first question trapped on an arithmetic overflow computing the
    /// answer's offset in its document (`span.start - documentStart`).
    @Test func aSpanOutsideItsDocumentIsRefused() throws {
        let dir = try F.temporaryFolder("fuzz-span")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/i.phb"
        var c = F.realisticContents()
        c.embeddedRanks = [] // (the fixture's are random bytes, refused first by a query)
        let span = c.spans[0]
        #expect(span.start == 10 && span.document == 0)
        c.spans[0].document = 2 // document 2 covers 600000..<1234567
        let message = "span 0 (positions 10 + \(span.length)) lies outside its document 2 (600000..<1234567)"
        #expect(failure { try HeroIndexWriter.write(c, to: path, inputs: []) } == "\(path): cannot write index: \(message)")
        try HeroIndexWriter.write(c, to: path, inputs: [], checkingConsistency: false)
        let offset = try HeroIndex(path: path).entry(.spans).offset
        #expect(failure { try HeroIndex(path: path).verify() } == "\(path): section 'SPAN' at byte \(offset): \(message)")
        #expect(failure { _ = try QueryEngine(path: path) } == "\(path): section 'SPAN' at byte \(offset): \(message)")
        // With a damaged tokenizer too, the tokenizer's error comes first, as when it was
        // built before the spans were read (it is built on another thread now), for the
        // engine and for a query session that would then look for the missing corpus.
        c.embeddedRanks = Array(repeating: 7, count: 64)
        try HeroIndexWriter.write(c, to: path, inputs: [], checkingConsistency: false)
        let tokr = try HeroIndex(path: path).entry(.tokenizerRanks).offset
        let refusal = "\(path): section 'TOKR' at byte \(tokr): not a compressed rank table of at most 67108864 bytes"
        #expect(failure { _ = try QueryEngine(path: path) } == refusal)
        c.spans[0].document = span.document
        try HeroIndexWriter.write(c, to: path, inputs: [])
        #expect(failure { _ = try QueryEngine(path: path) } == refusal)
        var options = QuerySession.Options()
        options.corpus = [dir + "/missing.tok"]
        #expect(failure { _ = try QuerySession(index: path, tokenizer: nil, options: options) } == refusal)
    }
}
