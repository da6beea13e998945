import Testing
import Foundation
@testable import ProteusIndex

/// The skipped-files frame of a `.tok` (format version 2): written only when files were
/// skipped and listed in the seek table after the document table, read back and checked.
@Suite struct TokSkippedFilesTests {
    static func write(_ path: String, skipped: [SkippedFile]) throws {
        let writer = try TokWriter(path: path, codec: .zstd, width: .u32)
        try writer.beginDocument(name: "a.txt")
        try [UInt32](1...100).withUnsafeBufferPointer { try writer.append($0) }
        for s in skipped { writer.recordSkipped(s) }
        try writer.finish()
    }

    @Test func skippedFilesRoundTripAndMakeVersion2() throws {
        let dir = try FormatScratch("skipped")
        let files = [SkippedFile(path: "docs/a.gz", reason: "not text (a gzip stream)"),
                     SkippedFile(path: "docs/é.txt", reason: "at byte 3: invalid UTF-8")]
        try Self.write(dir.path + "/with.tok", skipped: files)
        let tok = try TokFile(path: dir.path + "/with.tok")
        #expect(tok.skippedFiles == files)
        #expect(tok.summary.formatVersion == 2)
        #expect(try FormatFixtures.readAll(tok, window: 7) == Array(1...100))
        // Nothing skipped: no frame, and no seek-table entry for one.
        try Self.write(dir.path + "/without.tok", skipped: [])
        let plain = try TokFile(path: dir.path + "/without.tok")
        #expect(plain.summary.formatVersion == 2 && plain.skippedFiles.isEmpty)
        #expect(tok.summary.seekTableEntries == plain.summary.seekTableEntries + 1)
        let sizes = try [dir.path + "/with.tok", dir.path + "/without.tok"].map { try SystemFile(openForReading: $0).size }
        let entry = UInt64(SeekTable.frameSize(frames: 4) - SeekTable.frameSize(frames: 3))
        #expect(sizes[0] == sizes[1] + UInt64(TokSkippedFrame.encode(files).count) + entry)
    }

    @Test func aDamagedTableIsRefusedAndAnOldReaderRefusesTheVersion() throws {
        let dir = try FormatScratch("skipped")
        let path = dir.path + "/with.tok"
        try Self.write(path, skipped: [SkippedFile(path: "x.png", reason: "not text (a PNG image)")])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let frame = TokSkippedFrame.encode([SkippedFile(path: "x.png", reason: "not text (a PNG image)")])
        // Metadata, one data frame, documents, skipped files: four seek-table entries.
        let start = bytes.count - SeekTable.frameSize(frames: 4) - frame.count
        #expect(Array(bytes[start..<(start + frame.count)]) == frame)
        bytes[start + 30] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(FormatFixtures.errorText { _ = try TokFile(path: path) }
                == "\(path): at byte \(start): skipped-files table: checksum mismatch")
        #expect(FormatFixtures.errorText { _ = try TokSkippedFrame.decode(Array(frame.dropLast()), at: 0, path: "t") }
                == "t: at byte 0: skipped-files table: bad frame header")
        // A version-1 reader stops at "oldest reader version 2" instead of misreading the frame.
        let header = try TokHeader.decode(Array(bytes.prefix(4096)), fileSize: UInt64(bytes.count), path: path)
        #expect(header.oldestReaderVersion == 2)
    }
}
