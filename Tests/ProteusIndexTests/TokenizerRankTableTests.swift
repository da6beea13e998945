import Testing
import Foundation
@testable import ProteusIndex

@Suite struct TokenizerRankTableTests {
    static func load(_ contents: String) throws -> RankTable {
        try TiktokenFile.load(path: TokenizerFixtures.temporaryFile(contents)).ranks
    }

    static func expectMessage(_ contents: String, _ message: String) {
        let path = TokenizerFixtures.temporaryFile(contents)
        #expect {
            _ = try TiktokenFile.load(path: path)
        } throws: { error in
            let e = error as! ProteusError
            return e.kind == .dataError && e.description == "\(path): \(message)"
        }
    }

    @Test func loadsTheBundledRankFile() throws {
        let ranks = TokenizerFixtures.cl100k.ranks
        #expect(ranks.count == 100_256)
        #expect(ranks.tokenCount == 100_256)
        // "IQ== 0", "IENvbnZleW9y 100255" are the first and last lines of the file.
        #expect(ranks.bytes(ofRank: 0).map(Array.init) == Array("!".utf8))
        #expect(ranks.bytes(ofRank: 100_255).map(Array.init) == Array(" Conveyor".utf8))
        #expect(Array(" Conveyor".utf8).withUnsafeBytes { ranks.rank(of: $0) } == 100_255)
        #expect(Array("not-a-single-token-at-all".utf8).withUnsafeBytes { ranks.rank(of: $0) } == nil)
        #expect(ranks.bytes(ofRank: 100_256) == nil)
    }

    @Test func lineBreakCountsMatchTheBytesOfEveryRank() {
        // The counts come from one memchr pass and a binary search per line break: checked
        // against the plain count over every rank's bytes (cl100k has ranks of up to 128).
        let tokenizer = TokenizerFixtures.cl100k
        let counts = tokenizer.lineBreakCounts()
        #expect(counts.count == Int(tokenizer.identity.vocabularySize))
        var expected = [UInt8](repeating: 0, count: counts.count)
        for rank in 0..<tokenizer.ranks.count {
            let n = tokenizer.ranks.bytes(ofRank: UInt32(rank))?.filter { $0 == 0x0A }.count ?? 0
            expected[rank] = UInt8(min(255, n))
        }
        #expect(counts == expected)
        #expect(counts.contains { $0 >= 2 })
        #expect(counts[Int(Array("\n".utf8).withUnsafeBytes { tokenizer.ranks.rank(of: $0) }!)] == 1)
    }

    @Test func serializedTableWorksInPlace() throws {
        let original = TokenizerFixtures.cl100k.ranks
        let blob = original.serialized()
        #expect(blob.count % 8 == 0)
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: blob.count, alignment: 8)
        defer { memory.deallocate() }
        blob.withUnsafeBytes { memory.copyMemory(from: $0) }
        let mapped = try RankTable(serialized: UnsafeRawBufferPointer(memory), owner: nil)
        #expect(mapped.count == original.count)
        for rank in UInt32(0)..<UInt32(original.count) {
            let bytes = original.bytes(ofRank: rank)!
            guard mapped.bytes(ofRank: rank).map(Array.init) == Array(bytes), mapped.rank(of: bytes) == rank else {
                Issue.record("rank \(rank) differs after the round trip")
                return
            }
        }
        let tokenizer = Tokenizer(ranks: mapped, pattern: .cl100k, identity: TokenizerFixtures.cl100k.identity)
        #expect(tokenizer.encodeOrdinary(String(decoding: TokenizerFixtures.mixed, as: UTF8.self))
                == TokenizerFixtures.u32("mixed.cl100k.u32"))
    }

    @Test func gapsInRanksDecodeAsAbsent() throws {
        let ranks = try Self.load("YQ== 0\nYg== 3\n\nYWI= 4\n")
        #expect(ranks.count == 5)
        #expect(ranks.tokenCount == 3)
        #expect(ranks.bytes(ofRank: 1) == nil)
        #expect(ranks.bytes(ofRank: 4).map(Array.init) == Array("ab".utf8))
        #expect(Array("b".utf8).withUnsafeBytes { ranks.rank(of: $0) } == 3)
    }

    @Test func malformedLinesNameTheLine() {
        Self.expectMessage("YQ== 0\nY!== 1\n", "line 2: token \"Y!==\" is not valid base64")
        Self.expectMessage("YQ== 0\nYWJ 1\n", "line 2: token \"YWJ\" is not valid base64")
        Self.expectMessage("YQ== 0\nYg==\n", "line 2: missing rank (expected \"BASE64 RANK\")")
        Self.expectMessage("YQ== 0\nYg== \n", "line 2: missing rank (expected \"BASE64 RANK\")")
        Self.expectMessage("YQ== 0\nYg== 1x\n", "line 2: rank \"1x\" is not a non-negative integer")
        Self.expectMessage("YQ== 0\nYg== -1\n", "line 2: rank \"-1\" is not a non-negative integer")
        Self.expectMessage("YQ== 0\nYg== 1\nYw== 1\n", "line 3: duplicate rank 1")
        Self.expectMessage("YQ== 0\nYg== 5\nYw== 2\n", "line 3: rank 2 is out of order (follows rank 5)")
        Self.expectMessage("YQ== 0\nYg== 1\nYQ== 2\n", "line 3: token bytes repeat those of rank 0")
        Self.expectMessage("YQ== 0\n 1\n", "line 2: token is empty")
        Self.expectMessage("YQ== 999999999999\n", "line 1: rank 999999999999 is too large")
        Self.expectMessage("\n\n", "no tokens in rank file")
    }

    @Test func unknownRankCountNeedsAPattern() throws {
        let path = TokenizerFixtures.temporaryFile((0..<256).map { "\(Data([UInt8($0)]).base64EncodedString()) \($0)\n" }.joined(),
                                                   name: "bytes.tiktoken")
        #expect {
            _ = try Tokenizer.load(path: path)
        } throws: { error in
            let e = error as! ProteusError
            return e.kind == .usage && e.description
                == "\(path): cannot infer the split pattern of a rank file with 256 ranks; name one with --split-pattern cl100k or r50k"
        }
        let tokenizer = try Tokenizer.load(path: path, pattern: .r50k)
        #expect(tokenizer.identity.name == "bytes")
        #expect(tokenizer.identity.vocabularySize == 50_257)
        #expect(tokenizer.encodeOrdinary("hi") == [104, 105])
    }

    @Test func missingSingleByteIsRefused() {
        let path = TokenizerFixtures.temporaryFile((0..<255).map { "\(Data([UInt8($0)]).base64EncodedString()) \($0)\n" }.joined())
        #expect {
            _ = try Tokenizer.load(path: path, pattern: .r50k)
        } throws: { error in
            (error as! ProteusError).description == "\(path): no token for the single byte 0xff"
        }
    }

    static func corrupted(_ edit: (inout [UInt8]) -> Void) -> [UInt8] {
        var blob = try! RankTable(tokensByRank: [[0x61], [0x62], [0x61, 0x62]]).serialized()
        edit(&blob)
        return blob
    }

    @Test func badBlobsAreRefused() {
        let cases: [([UInt8], String)] = [
            (Array(Self.corrupted { _ in }.prefix(20)), "rank table: 20 bytes is too small for the 32-byte header"),
            (Self.corrupted { $0[0] = 0x58 }, "rank table: bad magic, not a rank table"),
            (Self.corrupted { $0[8] = 2 }, "rank table: unsupported version 2 (this build reads version 1)"),
            (Self.corrupted { $0[12] = 0 }, "rank table: inconsistent counts (count 0, tokens 3)"),
            (Self.corrupted { $0[20] = 17 }, "rank table: slot count 17 is not a power of two above the token count 3"),
            (Self.corrupted { $0[28] = 0 }, "rank table: probe bound 0 out of range"),
            (Self.corrupted { $0 += [UInt8](repeating: 0, count: 8) }, "rank table: header describes 312 bytes but the table has 320"),
            (Self.corrupted { $0[32 + 12] = 9 }, "rank table: offsets run from 0 to 9, expected 0 to 4"),
        ]
        for (blob, message) in cases {
            let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(blob.count, 1), alignment: 8)
            defer { memory.deallocate() }
            blob.withUnsafeBytes { memory.copyMemory(from: $0) }
            #expect {
                _ = try RankTable(serialized: UnsafeRawBufferPointer(rebasing: memory[0..<blob.count]), owner: nil, path: "x.phb")
            } throws: { error in
                let e = error as! ProteusError
                return e.kind == .dataError && e.description == "x.phb: " + message
            }
        }
    }

    @Test func duplicateBytesAreRefusedByTheBuilder() {
        #expect(throws: RankTableBuildError.duplicateBytes(rank: 2, original: 0)) {
            _ = try RankTable(tokensByRank: [[0x61], [0x62], [0x61]])
        }
    }
}
