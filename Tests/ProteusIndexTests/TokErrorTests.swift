import Testing
import Foundation
@testable import ProteusIndex

/// One test per way a .tok can be bad, each asserting the exact one-line message.
@Suite struct TokErrorTests {
    static let tokens = TokTestSupport.tokens(10_000, seed: 5)

    /// Writes a 10-frame file (1000 u32 tokens per frame), applies `damage`, returns the
    /// message of opening it and reading every token (nil when that succeeds).
    static func failure(codec: TokCodec = .zstd, options: TokFile.Options = .init(),
                        _ damage: (String, TokFile) throws -> Void) throws -> (String, TokFile, String?) {
        let dir = try TokTestSupport.temporaryFolder("tokerr")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try TokTestSupport.writeTok(dir + "/c.tok", codec: codec, documents: [("d", tokens)])
        let good = try TokFile(path: path)
        try damage(path, good)
        let message = TokTestSupport.failure {
            let tok = try TokFile(path: path, options: options)
            _ = try TokTests.readAll(tok, window: 1000)
        }
        return (path, good, message)
    }

    @Test func emptyFile() throws {
        let (p, _, m) = try Self.failure { path, _ in try Data().write(to: URL(fileURLWithPath: path)) }
        #expect(m == "\(p): file is empty, not a .tok file")
    }

    @Test func truncatedHeader() throws {
        let (p, _, m) = try Self.failure { path, _ in
            try Data(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(20)).write(to: URL(fileURLWithPath: path))
        }
        #expect(m == "\(p): truncated header (file has 20 bytes, the header needs 98)")
    }

    @Test func wrongMagic() throws {
        let (p, _, m) = try Self.failure { path, _ in
            let r = try TokTestSupport.run("zstd", ["-q", "-c", "-"], stdin: Data(repeating: 7, count: 100))
            try r.stdout.write(to: URL(fileURLWithPath: path))
        }
        #expect(m == "\(p): not a .tok file (no PTOK header)")
    }

    @Test func newerFormatVersion() throws {
        let (p, _, m) = try Self.failure { path, _ in try TokCorruption.patch(path, at: 12, [9, 0, 9, 0]) }
        #expect(m == "\(p): format version 9 is newer than this proteus-index reads (up to 2)")
    }

    @Test func headerChecksum() throws {
        let (p, _, m) = try Self.failure { path, _ in try TokCorruption.patch(path, at: 24, [0xFF]) }
        #expect(m == "\(p): header checksum mismatch")
    }

    @Test func seekTableDisagreesWithFileSize() throws {
        let (p, good, m) = try Self.failure { path, tok in
            let size = UInt32(tok.seekTable.compressedSizes[0]) + 1
            try TokCorruption.patch(path, at: TokCorruption.seekEntryOffset(tok, frame: 0), TokCorruption.le32(size))
        }
        #expect(m == "\(p): seek table describes \(good.summary.fileBytes + 1) bytes but the file has \(good.summary.fileBytes)")
    }

    @Test func missingSeekTable() throws {
        let (p, _, m) = try Self.failure { path, _ in
            let d = try Data(contentsOf: URL(fileURLWithPath: path))
            try Data(d.dropLast(5)).write(to: URL(fileURLWithPath: path))
        }
        #expect(m == "\(p): no seek table at the end of the file (truncated, or not finished writing)")
    }

    @Test func frameChecksumMismatch() throws {
        let (p, good, m) = try Self.failure { path, tok in
            try TokCorruption.patch(path, at: TokCorruption.seekEntryOffset(tok, frame: 3) + 8, [0x01, 0x02, 0x03, 0x04])
        }
        #expect(m == "\(p): frame 3 at byte \(good.frameOffsets[3]): checksum mismatch")
    }

    @Test func lz4FrameChecksumMismatch() throws {
        let (p, good, m) = try Self.failure(codec: .lz4) { path, tok in
            try TokCorruption.patch(path, at: TokCorruption.seekEntryOffset(tok, frame: 3) + 8, [0x01, 0x02, 0x03, 0x04])
        }
        #expect(m == "\(p): frame 3 at byte \(good.frameOffsets[3]): checksum mismatch")
    }

    @Test func corruptContentFailsTheCodecChecksum() throws {
        // A raw-block frame decodes whatever its bytes are; only the checksum catches the change.
        let (p, good, m) = try Self.failure(codec: .none) { path, tok in
            try TokCorruption.patch(path, at: tok.frameOffsets[3] + 100, [0xFF, 0xFF])
        }
        #expect(m == "\(p): frame 3 at byte \(good.frameOffsets[3]): checksum mismatch")
    }

    @Test func corruptCompressedFrame() throws {
        let (p, good, m) = try Self.failure { path, tok in
            let (offset, size) = tok.frameRange(3)
            try TokCorruption.patch(path, at: offset + 12, [UInt8](repeating: 0xFF, count: size - 20))
        }
        #expect(m == "\(p): frame 3 at byte \(good.frameOffsets[3]): zstd: Data corruption detected")
    }

    @Test func corruptLz4Frame() throws {
        let (p, good, m) = try Self.failure(codec: .lz4) { path, tok in
            let (offset, size) = tok.frameRange(3)
            // Header is 15 bytes, then the block size u32: damage the compressed block itself.
            try TokCorruption.patch(path, at: offset + 19, [UInt8](repeating: 0xFF, count: size - 40))
        }
        #expect(m == "\(p): frame 3 at byte \(good.frameOffsets[3]): lz4: ERROR_decompressionFailed")
    }

    @Test func seekTableClaimingAHugeFrameIsRefusedAtOpen() throws {
        let (p, good, m) = try Self.failure { path, tok in
            try TokCorruption.patch(path, at: TokCorruption.seekEntryOffset(tok, frame: 3) + 4, TokCorruption.le32(0xFFFF_FFF0))
        }
        #expect(m == "\(p): frame 3 at byte \(good.frameOffsets[3]): seek table declares 4294967280 decompressed bytes, more than a frame's 4000")
    }

    @Test func seekTableClaimingAHugeCompressedFrameIsRefusedAtOpen() throws {
        let (p, good, m) = try Self.failure(options: .init(access: .pread)) { path, tok in
            try TokCorruption.patch(path, at: TokCorruption.seekEntryOffset(tok, frame: 3), TokCorruption.le32(0xF000_0000))
        }
        #expect(m == "\(p): frame 3 at byte \(good.frameOffsets[3]): compressed size 4026531840 is larger than any frame of 4000 bytes can be")
    }

    @Test func frameHeaderClaimingAHugeSizeIsRefusedBeforeDecoding() throws {
        // Codec none frames carry their content size as u32 at frame byte 5.
        let (p, good, m) = try Self.failure(codec: .none) { path, tok in
            try TokCorruption.patch(path, at: tok.frameOffsets[3] + 5, TokCorruption.le32(0x7FFF_FFFF))
        }
        #expect(m == "\(p): frame 3 at byte \(good.frameOffsets[3]): zstd: frame declares 2147483647 bytes, expected 4000")
    }

    @Test func oddByteCountForWidth() throws {
        let (p, good, m) = try Self.failure { path, tok in
            try TokCorruption.patch(path, at: TokCorruption.seekEntryOffset(tok, frame: 9) + 4, TokCorruption.le32(3999))
        }
        #expect(m == "\(p): frame 9 at byte \(good.frameOffsets[9]): 3999 decompressed bytes is not a whole number of u32 tokens")
    }
}
