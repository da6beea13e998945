import Testing
@testable import ProteusIndex

@Suite struct TokenizerCompactRankTests {
    @Test func compactTableEncodesLikeTheFullOneAndIsSmaller() throws {
        let full = TokenizerFixtures.cl100k
        let blob = try full.ranks.compactSerialized()
        #expect(blob.count < full.ranks.serialized().count - 1_500_000)
        let compact = try blob.withUnsafeBytes { raw -> Tokenizer in
            // Copy into memory the table can keep (as a mapped index would keep its mapping).
            let owned = UnsafeMutableRawBufferPointer.allocate(byteCount: raw.count, alignment: 8)
            owned.copyMemory(from: raw)
            let table = try RankTable(serialized: UnsafeRawBufferPointer(owned), owner: nil)
            return Tokenizer(ranks: table, pattern: .cl100k, identity: full.identity)
        }
        let text = TokenizerFixtures.essays + TokenizerFixtures.mixed
        var a: [UInt32] = [], b: [UInt32] = []
        try text.withUnsafeBytes { try full.encodeOrdinary($0, into: &a) }
        try text.withUnsafeBytes { try compact.encodeOrdinary($0, into: &b) }
        #expect(a == b)
        #expect(a.count > 100_000)
    }
}
