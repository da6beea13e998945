import Testing
import Foundation
@testable import ProteusIndex

/// Seek tables that do not describe the file, in either layout: each refused at open with the
/// frame or seek-table entry it concerns (the 10-frame file of `TokErrorTests`).
@Suite struct TokLayoutErrorTests {
    typealias C = TokCorruption

    /// Re-encodes the metadata frame of `path` (same size, checksum recomputed) after `change`.
    static func rewriteHeader(_ path: String, _ change: (inout TokHeader) -> Void) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var header = try TokHeader.decode(bytes, fileSize: UInt64(bytes.count), path: path)
        change(&header)
        try C.patch(path, at: 0, header.encode())
    }

    @Test func dataFrameListedAsSkippable() throws {
        let (p, good, m) = try TokErrorTests.failure(codec: .zstd) { path, tok in
            try C.patch(path, at: C.seekEntryOffset(tok, frame: 3) + 4, C.le32(0))
        }
        #expect(m == "\(p): frame 3 at byte \(good.frameOffsets[3]): seek table entry 4 lists it as a skippable frame (0 decompressed bytes), but it is data frame 3 of 10")
    }

    @Test func metadataFrameEntryOfTheWrongSize() throws {
        let (p, _, m) = try TokErrorTests.failure(codec: .zstd) { path, tok in try C.patch(path, at: C.seekEntryOffset(tok, entry: 0), C.le32(99)) }
        #expect(m == "\(p): seek table entry 0 lists 99 bytes holding 0 (checksum 0), but the metadata frame at byte 0 is 98 bytes holding none (checksum 0)")
    }

    @Test func documentTableListedAsData() throws {
        let (p, good, m) = try TokErrorTests.failure(codec: .lz4) { path, tok in try C.patch(path, at: C.seekEntryOffset(tok, entry: 11) + 4, C.le32(4)) }
        #expect(m == "\(p): seek table entry 11, the document table at byte \(good.header.documentTableOffset), lists 4 decompressed bytes (checksum 0), but it is a skippable frame: 0 bytes, checksum 0")
    }

    @Test func sizesRunningPastTheFileNameTheFrame() throws {
        let (p, good, m) = try TokErrorTests.failure(codec: .none) { path, tok in
            try C.patch(path, at: C.seekEntryOffset(tok, frame: 9), C.le32(UInt32(tok.frameRange(9).count + 100)))
        }
        let seekTable = good.summary.fileBytes - UInt64(SeekTable.frameSize(frames: 12))
        let size = good.frameRange(9).count + 100
        #expect(m == "\(p): frame 9 at byte \(good.frameOffsets[9]): its \(size) bytes end at byte \(good.frameOffsets[9] + UInt64(size)), past the seek table at byte \(seekTable): the seek table's sizes add up to more than the file")
    }

    @Test func sizesShortOfTheFile() throws {
        let (p, good, m) = try TokErrorTests.failure(codec: .zstd) { path, tok in
            try C.patch(path, at: C.seekEntryOffset(tok, entry: 11), C.le32(UInt32(tok.header.documentTableLength - 1)))
        }
        let seekTable = good.summary.fileBytes - UInt64(SeekTable.frameSize(frames: 12))
        #expect(m == "\(p): seek table entries 0...11 add up to \(seekTable - 1) bytes, but the seek table starts at byte \(seekTable)")
    }

    @Test func documentTableEntryDisagreesWithTheHeader() throws {
        // Frame 9 one byte shorter, the document table one byte longer: the sizes still add up.
        let (p, good, m) = try TokErrorTests.failure(codec: .zstd) { path, tok in
            try C.patch(path, at: C.seekEntryOffset(tok, frame: 9), C.le32(UInt32(tok.frameRange(9).count - 1)))
            try C.patch(path, at: C.seekEntryOffset(tok, entry: 11), C.le32(UInt32(tok.header.documentTableLength + 1)))
        }
        let (at, length) = (good.header.documentTableOffset, good.header.documentTableLength)
        #expect(m == "\(p): seek table entry 11 puts the document table at byte \(at - 1) (\(length + 1) bytes), the header at byte \(at) (\(length) bytes)")
    }

    @Test func headerCountingAllFramesIsRefused() throws {
        let (p, _, m) = try TokErrorTests.failure(codec: .zstd) { path, _ in try Self.rewriteHeader(path) { $0.dataFrameCount = 12 } }
        #expect(m == "\(p): seek table lists 12 frames, but the header's 12 data frames and the metadata and document frames make 14")
    }

    /// The case: a reader of the old layout meeting the new table.
    @Test func version1HeaderOverAnEveryFrameTable() throws {
        let (p, _, m) = try TokErrorTests.failure(codec: .zstd) { path, _ in
            try Self.rewriteHeader(path) { ($0.formatVersion, $0.oldestReaderVersion) = (1, 1) }
        }
        #expect(m == "\(p): seek table lists 12 frames, the header says 10")
    }

    @Test func version1SizesThatDoNotAddUp() throws {
        let (p, good, m) = try TokErrorTests.failure(codec: .zstd) { path, _ in
            try TokTestSupport.downgradeToVersion1(path)
            let old = try TokFile(path: path)
            try C.patch(path, at: C.seekEntryOffset(old, frame: 0), C.le32(UInt32(old.frameRange(0).count + 1)))
        }
        let size = good.summary.fileBytes - 24 // two seek-table entries fewer
        #expect(m == "\(p): seek table describes \(size + 1) bytes but the file has \(size)")
    }

    @Test func framesHoldingOtherThanTheHeadersTokenCount() throws {
        let (p, _, m) = try TokErrorTests.failure(codec: .zstd) { path, _ in try Self.rewriteHeader(path) { $0.totalTokens = 9999 } }
        #expect(m == "\(p): frames hold 10000 tokens, the header says 9999")
    }

    @Test func version1DocumentTableNotAfterTheFrames() throws {
        let (p, good, m) = try TokErrorTests.failure(codec: .zstd) { path, _ in
            try TokTestSupport.downgradeToVersion1(path)
            try Self.rewriteHeader(path) { $0.documentTableOffset += 1 }
        }
        let end = good.header.documentTableOffset
        #expect(m == "\(p): document table at byte \(end + 1), but the frames end at byte \(end)")
    }

    @Test func seekTableFrameHeaderDisagreeingWithItsFooter() throws {
        let (p, good, m) = try TokErrorTests.failure(codec: .zstd) { path, tok in
            try C.patch(path, at: C.seekEntryOffset(tok, entry: 0) - 4, C.le32(7))
        }
        let start = good.summary.fileBytes - UInt64(SeekTable.frameSize(frames: 12))
        #expect(m == "\(p): at byte \(start): seek table frame header does not match its footer (12 frames)")
    }

    @Test func seekTableWithoutChecksums() throws {
        let (p, _, m) = try TokErrorTests.failure(codec: .zstd) { path, tok in try C.patch(path, at: tok.summary.fileBytes - 5, [0]) }
        #expect(m == "\(p): seek table descriptor 0x0 is not supported (checksums required, reserved bits zero)")
    }
}
