import Testing
import Foundation
@testable import ProteusIndex

@Suite struct TokTests {
    static let docs: [(String, [UInt32])] = [
        ("a.txt", TokTestSupport.tokens(2500, limit: 60_000, seed: 1)),
        ("empty.txt", []),
        ("b.txt", TokTestSupport.tokens(7321, limit: 60_000, seed: 2)),
    ]
    static var all: [UInt32] { docs.flatMap { $0.1 } }

    static func withFolder<T>(_ body: (String) throws -> T) throws -> T {
        let dir = try TokTestSupport.temporaryFolder("tok")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try body(dir)
    }

    static func readAll(_ source: TokenSource, window: Int) throws -> [UInt32] {
        let cursor = try source.makeCursor()
        var out: [UInt32] = []
        var at: UInt64 = 0
        while at < source.tokenCount {
            let w = try cursor.read(start: at, count: window)
            out += w
            at += UInt64(w.count)
            cursor.release(before: at)
        }
        return out
    }

    @Test(arguments: TokCodec.allCases, [TokenWidth.u16, .u32])
    func roundTripWindowsAndDocuments(codec: TokCodec, width: TokenWidth) throws {
        try Self.withFolder { (dir: String) throws in
            let path = try TokTestSupport.writeTok(dir + "/c.tok", codec: codec, width: width, documents: Self.docs)
            let tok = try TokFile(path: path)
            #expect(tok.tokenCount == UInt64(Self.all.count))
            #expect(tok.formatName == "tok/\(codec)")
            #expect(tok.documents.names == ["a.txt", "empty.txt", "b.txt"])
            #expect(tok.documents.lengths == [2500, 0, 7321])
            for window in [1000, 1, 999, 1001, 2500, 65_536] {
                #expect(try Self.readAll(tok, window: window) == Self.all, "window \(window)")
            }
            let c = try tok.makeCursor()
            #expect(Array(try c.read(start: 9800, count: 100)) == Array(Self.all[9800...]))
            #expect(try c.read(start: 9821, count: 5).count == 0)
            #expect(Array(try c.read(start: 1500, count: 2000)) == Array(Self.all[1500..<3500]))
            let s = tok.summary
            #expect((s.codec, s.width, s.tokens, s.documents, s.frames) == (codec, width, 9821, 3, 10))
            #expect(s.uncompressedBytes == 9821 * UInt64(width.byteCount))
        }
    }

    /// The real CLIs read a .tok as an ordinary stream and print exactly the raw tokens.
    @Test(arguments: TokCodec.allCases)
    func realToolsPrintTheRawTokens(codec: TokCodec) throws {
        try Self.withFolder { (dir: String) throws in
            for width in [TokenWidth.u16, .u32] {
                let path = try TokTestSupport.writeTok(dir + "/c.tok", codec: codec, width: width, documents: Self.docs)
                let tool = codec == .lz4 ? "lz4" : "zstd"
                let r = try TokTestSupport.run(tool, ["-dc", path])
                #expect(r.status == 0, "\(r.stderr)")
                #expect(r.stdout == TokTestSupport.bytes(Self.all, width: width), "\(codec) \(width)")
            }
        }
    }

    @Test func mappedAndPreadReadsAreIdentical() throws {
        try Self.withFolder { (dir: String) throws in
            let path = try TokTestSupport.writeTok(dir + "/c.tok", codec: .zstd, documents: Self.docs)
            let mapped = try TokFile(path: path)
            let pread = try TokFile(path: path, options: .init(access: .pread))
            #expect(mapped.summary.isMapped && !pread.summary.isMapped)
            for window in [1000, 777] {
                #expect(try Self.readAll(mapped, window: window) == Self.readAll(pread, window: window))
            }
        }
    }

    @Test func cursorsReadConcurrently() throws {
        try Self.withFolder { (dir: String) throws in
            let path = try TokTestSupport.writeTok(dir + "/c.tok", codec: .zstd, documents: Self.docs)
            let tok = try TokFile(path: path)
            let expected = Self.all
            let results = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 4)
            defer { results.deallocate() }
            DispatchQueue.concurrentPerform(iterations: 4) { i in
                results[i] = (try? Self.readAll(tok, window: 500 + 250 * i)) == expected
            }
            #expect(Array(results) == [true, true, true, true])
        }
    }

    @Test func tokenizerIsRecorded() throws {
        try Self.withFolder { (dir: String) throws in
            let id = TokenizerIdentity(name: "cl100k_base", sha256: Array(0..<32), vocabularySize: 100_277)
            let path = try TokTestSupport.writeTok(dir + "/t.tok", codec: .lz4, tokenizer: id, documents: Self.docs)
            #expect(try TokFile(path: path).tokenizer == id)
            #expect(try TokFile(path: TokTestSupport.writeTok(dir + "/n.tok", codec: .lz4, documents: Self.docs)).tokenizer == nil)
        }
    }

    @Test func emptyStreamHasNoFrames() throws {
        try Self.withFolder { (dir: String) throws in
            let path = try TokTestSupport.writeTok(dir + "/e.tok", codec: .zstd, documents: [("only", [])])
            let tok = try TokFile(path: path)
            #expect(tok.tokenCount == 0 && tok.frameCount == 0 && tok.documents.count == 1)
            #expect(try tok.makeCursor().read(start: 0, count: 10).count == 0)
            #expect(try TokTestSupport.run("zstd", ["-dc", path]).stdout.isEmpty)
        }
    }

    @Test func idTooLargeForU16IsRefusedAndNothingIsWritten() throws {
        try Self.withFolder { (dir: String) throws in
            let message = TokTestSupport.failure {
                try TokTestSupport.writeTok(dir + "/x.tok", codec: .zstd, width: .u16, documents: [("a.txt", [1, 2]), ("b.txt", [5, 6, 70_000])])
            }
            #expect(message == "b.txt: token 2: id 70000 does not fit in u16 (largest 65535)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [])
        }
    }

    @Test func idOutsideTheVocabularyIsRefused() throws {
        try Self.withFolder { (dir: String) throws in
            let id = TokenizerIdentity(name: "cl100k_base", sha256: Array(repeating: 7, count: 32), vocabularySize: 100_277)
            let message = TokTestSupport.failure {
                try TokTestSupport.writeTok(dir + "/x.tok", codec: .zstd, frameTokens: 2, tokenizer: id,
                                            documents: [("a.txt", [1, 2, 3, 4, 100_276, 100_277])])
            }
            #expect(message == "a.txt: token 5: id 100277 is not below the vocabulary size 100277 of cl100k_base")
        }
    }

    @Test func outputThatIsAnInputIsRefused() throws {
        try Self.withFolder { (dir: String) throws in
            let path = try TokTestSupport.writeTok(dir + "/in.tok", codec: .zstd, documents: Self.docs)
            let input = try SystemFile(openForReading: path)
            #expect(TokTestSupport.failure { _ = try TokWriter(path: path, codec: .zstd, width: .u32, inputs: [input.identity]) }
                    == "\(path): output path is also an input; choose another output")
        }
    }

    @Test func verifyChecksEveryFrame() throws {
        try Self.withFolder { (dir: String) throws in
            let path = try TokTestSupport.writeTok(dir + "/c.tok", codec: .lz4, documents: Self.docs)
            let report = try TokFile(path: path).verify()
            #expect(report.isValid && report.framesChecked == 10 && report.bytesChecked == 9821 * 4)
            let tok = try TokFile(path: path)
            try TokCorruption.patch(path, at: TokCorruption.seekEntryOffset(tok, frame: 3) + 8, [0xDE, 0xAD])
            let bad = try TokFile(path: path, options: .init(verifyChecksums: false))
            #expect(try bad.verify().failures.map(\.description) == ["\(path): frame 3 at byte \(tok.frameOffsets[3]): checksum mismatch"])
        }
    }
}

/// Byte surgery on a written .tok, for the error tests.
enum TokCorruption {
    static func patch(_ path: String, at offset: UInt64, _ bytes: [UInt8]) throws {
        let h = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try h.seek(toOffset: offset)
        try h.write(contentsOf: Data(bytes))
        try h.close()
    }

    /// Where the seek-table entry of data frame `frame` is (entry 0 is the metadata frame from version 2).
    static func seekEntryOffset(_ tok: TokFile, frame: Int) -> UInt64 {
        seekEntryOffset(tok, entry: frame + tok.layout.skippableEntries / 2)
    }

    /// Where seek-table entry `entry` is.
    static func seekEntryOffset(_ tok: TokFile, entry: Int) -> UInt64 {
        tok.summary.fileBytes - UInt64(SeekTable.frameSize(frames: tok.seekTableEntries)) + 8 + UInt64(entry * 12)
    }

    static func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
}
