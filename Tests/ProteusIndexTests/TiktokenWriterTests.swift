import Testing
import Foundation
@testable import ProteusIndex

/// A rank file written by tiktoken's own writer (`tiktoken.load.dump_tiktoken_bpe`) loads and
/// encodes as tiktoken does.
@Suite struct TiktokenWriterTests {
    static let tiktoken = PeerPython.has(["tiktoken", "blobfile"]) // its writer needs blobfile

    @Test(.enabled(if: tiktoken, "python3 with tiktoken and blobfile is not available"))
    func rankFileWrittenByTiktokenEncodesLikeTiktoken() throws {
        let dir = try FormatScratch("tiktoken-writer")
        let out = dir.path + "/written.tiktoken"
        let r = try PeerPython.run(["-c", "import sys, tiktoken.load as l; l.dump_tiktoken_bpe(l.load_tiktoken_bpe(sys.argv[1]), sys.argv[2])",
                                    TokenizerFixtures.rankFile, out])
        #expect(r.status == 0, "\(r.stderr)")
        let tokenizer = try Tokenizer.load(path: out, name: "cl100k_base")
        #expect(tokenizer.identity.vocabularySize == TokenizerFixtures.cl100k.identity.vocabularySize)
        let expected = try Data(contentsOf: URL(fileURLWithPath: TokenizerFixtures.root + "/fixtures/tiktoken/mixed.cl100k.u32"))
        let ids = tokenizer.encodeOrdinary(String(decoding: TokenizerFixtures.mixed, as: UTF8.self))
        #expect(TokTestSupport.bytes(ids, width: .u32) == expected)
    }
}
