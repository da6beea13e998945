import Testing
import Foundation
@testable import ProteusIndex

@Suite struct EmbeddedRanksTests {
    @Test func theEmbeddedTableEncodesLikeTheFullOneInAnEighthOfItsSize() throws {
        let full = TokenizerFixtures.cl100k
        let blob = try EmbeddedRanks.encode(full.ranks)
        #expect(blob.count < 450_000)
        #expect(blob.count * 6 < full.ranks.serialized().count)
        let ranks = try blob.withUnsafeBytes { try EmbeddedRanks.decode($0) { ProteusError(.dataError, $0) } }
        #expect(ranks.count == full.ranks.count && ranks.tokenCount == full.ranks.tokenCount)
        let embedded = Tokenizer(ranks: ranks, pattern: .cl100k, identity: full.identity)
        let text = TokenizerFixtures.essays + TokenizerFixtures.mixed
        var a: [UInt32] = [], b: [UInt32] = []
        try text.withUnsafeBytes { try full.encodeOrdinary($0, into: &a) }
        try text.withUnsafeBytes { try embedded.encodeOrdinary($0, into: &b) }
        #expect(a == b)
        #expect(a.count > 100_000)
    }

    @Test func aDamagedTableIsRefusedWithWhatIsWrong() throws {
        let tiny = try RankTable(tokensByRank: (0..<256).map { [UInt8($0)] } + [Array("ab".utf8)])
        let good = try EmbeddedRanks.encode(tiny)
        func error(_ bytes: [UInt8]) -> String? {
            failure { _ = try bytes.withUnsafeBytes { try EmbeddedRanks.decode($0) { ProteusError(.dataError, path: "i.phb", $0) } } }
        }
        #expect(error(Array(good.prefix(5))) == "i.phb: not a compressed rank table of at most 67108864 bytes")
        var damaged = good
        damaged[damaged.count - 6] ^= 0xFF
        #expect(error(damaged)?.hasPrefix("i.phb: zstd: ") == true)
        // A table whose lengths do not add up to its bytes.
        let plain = Array("PRNK".utf8) + [2, 0, 0, 0, 1, 5] + Array("ab".utf8)
        let compressor = ZstdFrameCompressor(level: 1)
        var frame = [UInt8](repeating: 0, count: compressor.bound(plain.count))
        let n = try plain.withUnsafeBytes { p in try frame.withUnsafeMutableBytes { try compressor.compress(p, into: $0) } }
        #expect(error(Array(frame[0..<n])) == "i.phb: rank table lengths add up to 6 bytes, but 2 follow them")
    }
}
