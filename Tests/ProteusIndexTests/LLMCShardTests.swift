import Foundation
import Testing
@testable import ProteusIndex

@Suite struct LLMCShardTests {
    /// A header the way llm.c's write_datafile lays it out: 256 int32, magic/version/count.
    static func header(magic: Int32, version: Int32, count: Int32) -> [UInt8] {
        var words = [Int32](repeating: 0, count: 256)
        words[0] = magic; words[1] = version; words[2] = count
        return FormatFixtures.bytes(words)
    }

    @Test(.enabled(if: PeerPython.numpy, "python3 with numpy is not available"), arguments: [Int32(1), 7])
    func readsWhatLLMCsWriterWrote(version: Int32) throws {
        let dir = try FormatScratch("llmc")
        let path = dir.path + "/shard_\(version).bin"
        let ids = try FormatFixtures.python(["llmc", "\(version)", "9001", "5", path])
        let mapped = try LLMCShard(path: path)
        let pread = try LLMCShard(path: path, forcePread: true)
        #expect(mapped.isMapped && !pread.isMapped)
        #expect(mapped.formatName == "llm.c-v\(version)")
        #expect(mapped.storedWidth == (version == 1 ? .u16 : .u32))
        #expect(mapped.tokenCount == 9001)
        for window in [1, 3, 1000, 4096, 9001, 10_000] {
            #expect(try FormatFixtures.readAll(mapped, window: window) == ids, "mmap, window \(window)")
            #expect(try FormatFixtures.readAll(pread, window: window) == ids, "pread, window \(window)")
        }
        if version == 7 {
            // Tokens start at byte 1024 of a page-aligned map: still handed out in place.
            let cursor = try mapped.makeCursor()
            let w = try cursor.read(start: 10, count: 100)
            #expect(UnsafeRawPointer(w.baseAddress!) == mapped.layout.map!.bytes.baseAddress! + 1024 + 40)
            withExtendedLifetime(cursor) {}
        }
    }

    @Test func swiftWrittenV1ShardRoundTrips() throws {
        let dir = try FormatScratch("llmc")
        let ids: [UInt16] = [50256, 1, 2, 3, 65535]
        let path = try dir.write("a.bin", Self.header(magic: 20240520, version: 1, count: 5) + FormatFixtures.bytes(ids))
        #expect(try FormatFixtures.readAll(try LLMCShard(path: path), window: 2) == ids.map(UInt32.init))
    }

    @Test func truncatedHeaderIsRefused() throws {
        let dir = try FormatScratch("llmc")
        let path = try dir.write("t.bin", Array(Self.header(magic: 20240520, version: 1, count: 0).prefix(500)))
        #expect(FormatFixtures.errorText { _ = try LLMCShard(path: path) }
                == "\(path): truncated llm.c header: the file holds 500 bytes, the header needs 1024")
    }

    @Test func sizeMustMatchTheHeaderCount() throws {
        let dir = try FormatScratch("llmc")
        let path = try dir.write("s.bin", Self.header(magic: 20240520, version: 1, count: 1000) + [UInt8](repeating: 0, count: 1990))
        #expect(FormatFixtures.errorText { _ = try LLMCShard(path: path) }
                == "\(path): llm.c header says 1000 tokens (2000 bytes) but the file holds 1990 bytes after the header")
    }

    @Test func unknownVersionIsRefused() throws {
        let dir = try FormatScratch("llmc")
        let path = try dir.write("v.bin", Self.header(magic: 20240801, version: 3, count: 0))
        #expect(FormatFixtures.errorText { _ = try LLMCShard(path: path) }
                == "\(path): at byte 4: unknown llm.c version 3 for magic 20240801 (expected 7)")
    }

    @Test func unknownMagicIsRefused() throws {
        let dir = try FormatScratch("llmc")
        let path = try dir.write("m.bin", Self.header(magic: 12345, version: 1, count: 0))
        #expect(FormatFixtures.errorText { _ = try LLMCShard(path: path) }
                == "\(path): at byte 0: not an llm.c shard: magic 12345 (expected 20240520 or 20240801)")
    }

    @Test func negativeCountIsRefused() throws {
        let dir = try FormatScratch("llmc")
        let path = try dir.write("n.bin", Self.header(magic: 20240520, version: 1, count: -2))
        #expect(FormatFixtures.errorText { _ = try LLMCShard(path: path) }
                == "\(path): at byte 8: llm.c header has a negative token count -2")
    }
}
