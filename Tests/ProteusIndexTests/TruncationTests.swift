import Testing
import Foundation
@testable import ProteusIndex

/// A corpus truncated while it is mapped: reading the lost pages would raise SIGBUS and kill
/// the process, so the next window must fail with a clear error instead. The truncation
/// happens between two windows (the detectable case; see `MappedFile.checkNotTruncated`).
@Suite struct TruncationTests {
    @Test(arguments: [TokenWidth.u32, .u16])
    func rawFileTruncatedBetweenWindows(width: TokenWidth) throws {
        let dir = try TokTestSupport.temporaryFolder("shrink")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/c.raw"
        let tokens = TokTestSupport.tokens(1_000_000, limit: 60_000, seed: 11)
        try TokTestSupport.bytes(tokens, width: width).write(to: URL(fileURLWithPath: path))
        let source = try RawTokenFile(path: path, width: width)
        #expect(source.isMapped)
        let cursor = try source.makeCursor()
        #expect(Array(try cursor.read(start: 0, count: 65_536)) == Array(tokens[0..<65_536]))
        #expect(truncate(path, 4096) == 0)
        let m = TokTestSupport.failure { _ = try cursor.read(start: 500_000, count: 65_536) }
        #expect(m == "\(path): file shrank from \(1_000_000 * width.byteCount) to 4096 bytes while being read")
    }

    @Test func tokFileTruncatedBetweenFrames() throws {
        let dir = try TokTestSupport.temporaryFolder("shrink")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tokens = TokTestSupport.tokens(10_000, seed: 12)
        let path = try TokTestSupport.writeTok(dir + "/c.tok", codec: .zstd, documents: [("d", tokens)])
        let tok = try TokFile(path: path)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        let cursor = try tok.makeCursor()
        #expect(Array(try cursor.read(start: 0, count: 1000)) == Array(tokens[0..<1000]))
        #expect(truncate(path, off_t(tok.frameOffsets[2])) == 0)
        let m = TokTestSupport.failure { _ = try cursor.read(start: 8000, count: 1000) }
        #expect(m == "\(path): file shrank from \(size) to \(tok.frameOffsets[2]) bytes while being read")
    }
}
