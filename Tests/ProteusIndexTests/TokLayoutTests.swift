import Testing
import Foundation
@testable import ProteusIndex

/// The seek table lists every frame in file order (format 2), files of the old layout (format 1,
/// data frames only) still read, and converting one gives the new layout with the same content.
@Suite struct TokLayoutTests {
    typealias S = TokTestSupport

    /// The seek table as a zstd seekable reader parses it: (compressed, decompressed, checksum) per entry.
    static func rawSeekTable(_ path: String) throws -> (entries: [(UInt64, UInt64, UInt32)], start: UInt64) {
        let b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let n = Int(b.u32(at: b.count - 9))
        let start = b.count - (17 + 12 * n)
        #expect(b.u32(at: start) == 0x184D_2A5E && b[b.count - 5] == 0x80 && b.u32(at: b.count - 4) == 0x8F92_EAB1)
        let entries = (0..<n).map { k in
            (UInt64(b.u32(at: start + 8 + 12 * k)), UInt64(b.u32(at: start + 12 + 12 * k)), b.u32(at: start + 16 + 12 * k))
        }
        return (entries, UInt64(start))
    }

    @Test(arguments: TokCodec.allCases, [0, 700, 9821])
    func writerListsEveryFrameInFileOrder(codec: TokCodec, tokens: Int) throws {
        let dir = try S.temporaryFolder("layout"); defer { try? FileManager.default.removeItem(atPath: dir) }
        let ids = S.tokens(tokens, seed: 3)
        let path = try S.writeTok(dir + "/c.tok", codec: codec, documents: [("a", ids), ("empty", [])])
        let tok = try TokFile(path: path)
        let (entries, start) = try Self.rawSeekTable(path)
        let frames = (tokens + 999) / 1000
        #expect(tok.layout == .everyFrame && tok.header.formatVersion == 2 && tok.header.oldestReaderVersion == 2)
        #expect(tok.header.dataFrameCount == UInt64(frames) && tok.frameCount == frames)
        #expect(entries.count == frames + 2 && tok.seekTableEntries == frames + 2)
        // Frame k starts where entries 0..<k end, from byte 0, as seekable readers compute it.
        #expect(entries.first! == (tok.frameOffsets[0], 0, 0))
        for i in 0..<frames {
            let at = entries[0..<(i + 1)].reduce(0) { $0 + $1.0 }
            #expect(at == tok.frameOffsets[i] && entries[i + 1].1 == UInt64(min(1000, tokens - 1000 * i) * 4))
        }
        #expect(entries.last! == (tok.header.documentTableLength, 0, 0))
        #expect(entries.reduce(0) { $0 + $1.0 } == start)
        #expect(try TokTests.readAll(tok, window: 777) == ids)
    }

    @Test(arguments: TokCodec.allCases)
    func version1FilesStillRead(codec: TokCodec) throws {
        let dir = try S.temporaryFolder("layout"); defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try S.writeTok(dir + "/old.tok", codec: codec, width: .u16, documents: TokTests.docs)
        try S.downgradeToVersion1(path)
        let tok = try TokFile(path: path)
        #expect(tok.layout == .dataFramesOnly && tok.summary.formatVersion == 1)
        #expect(tok.seekTableEntries == 10 && tok.frameCount == 10)
        #expect(tok.documents.names == TokTests.docs.map(\.0) && tok.documents.lengths == [2500, 0, 7321])
        #expect(try TokTests.readAll(tok, window: 999) == TokTests.all)
        #expect(try tok.verify().isValid)
        let tool = codec == .lz4 ? "lz4" : "zstd"
        #expect(try S.run(tool, ["-dc", path]).stdout == S.bytes(TokTests.all, width: .u16))
    }

    /// fixtures/fuzz/tok/a.*.tok were written by the format-1 writer itself.
    @Test(arguments: TokCodec.allCases)
    func filesOfTheFormat1WriterRead(codec: TokCodec) throws {
        let path = TokenizerFixtures.root + "/fixtures/fuzz/tok/a.\(codec).tok"
        let tok = try TokFile(path: path)
        #expect(tok.layout == .dataFramesOnly && tok.tokenCount == 600 && tok.frameCount == 5)
        let raw = try S.run(codec == .lz4 ? "lz4" : "zstd", ["-dc", path]).stdout
        #expect(S.bytes(try TokTests.readAll(tok, window: 100), width: .u32) == raw)
    }

    @Test(arguments: TokCodec.allCases)
    func convertRewritesVersion1IntoTheNewLayout(codec: TokCodec) throws {
        let dir = try S.temporaryFolder("layout"); defer { try? FileManager.default.removeItem(atPath: dir) }
        let old = try S.writeTok(dir + "/old.tok", codec: codec, documents: TokTests.docs)
        try S.downgradeToVersion1(old)
        var options = FormatConverter.Options()
        options.codec = codec
        options.level = codec == .lz4 ? 0 : 3 // the writer's defaults, which made the old file
        options.frameTokens = 1000
        try FormatConverter(options: options).convert(InputOpener.open([old]), to: dir + "/new.tok")
        let new = try TokFile(path: dir + "/new.tok")
        #expect(new.layout == .everyFrame && new.codec == codec && new.seekTableEntries == 12)
        #expect(new.documents == (try TokFile(path: old)).documents)
        #expect(try TokTests.readAll(new, window: 4096) == TokTests.all)
        // Same codec, level and frames: the data frames are the very same bytes.
        #expect(new.contentHash() == (try TokFile(path: old)).contentHash())
    }
}
