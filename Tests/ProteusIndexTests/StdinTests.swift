import Testing
import Foundation
@testable import ProteusIndex

@Suite struct StdinTests {
    static let tokens = TokTestSupport.tokens(150_000, limit: 60_000, seed: 9)

    /// A pipe whose write end is fed `data` from another thread, as a shell would.
    static func pipe(_ data: Data) -> Int32 {
        var fds: [Int32] = [0, 0]
        precondition(Glibc.pipe(&fds) == 0)
        let writeEnd = fds[1]
        DispatchQueue.global().async {
            data.withUnsafeBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = Glibc.write(writeEnd, raw.baseAddress! + done, raw.count - done)
                    if n <= 0 { break }
                    done += n
                }
            }
            close(writeEnd)
        }
        return fds[0]
    }

    static func readAll(_ data: Data, format: StdinTokenReader.Format, chunk: Int = 4096) throws -> [UInt32] {
        let fd = pipe(data)
        defer { close(fd) }
        let reader = StdinTokenReader(descriptor: fd, format: format)
        var out: [UInt32] = []
        var buffer = [UInt32](repeating: 0, count: chunk)
        while true {
            let n = try buffer.withUnsafeMutableBufferPointer { try reader.read(into: $0) }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    static func compressed(_ tool: String, _ data: Data) throws -> Data {
        let r = try TokTestSupport.run(tool, ["-q", "-c"], stdin: data)
        precondition(r.status == 0)
        return r.stdout
    }

    @Test func rawU32AndU16() throws {
        #expect(try Self.readAll(TokTestSupport.bytes(Self.tokens, width: .u32), format: .u32) == Self.tokens)
        #expect(try Self.readAll(TokTestSupport.bytes(Self.tokens, width: .u16), format: .u16, chunk: 777) == Self.tokens)
    }

    @Test func text() throws {
        let text = Self.tokens.map(String.init).joined(separator: " \n\t")
        #expect(try Self.readAll(Data(text.utf8), format: .text, chunk: 1000) == Self.tokens)
        #expect(try Self.readAll(Data("  7 8\n9".utf8), format: .text) == [7, 8, 9])
    }

    @Test(arguments: ["zstd", "lz4"])
    func compressedStreamsAreDetected(tool: String) throws {
        let raw = TokTestSupport.bytes(Self.tokens, width: .u32)
        #expect(try Self.readAll(Self.compressed(tool, raw), format: .u32) == Self.tokens)
        let u16 = TokTestSupport.bytes(Self.tokens, width: .u16)
        #expect(try Self.readAll(Self.compressed(tool, u16), format: .u16) == Self.tokens)
        let text = Data(Self.tokens.map(String.init).joined(separator: " ").utf8)
        #expect(try Self.readAll(Self.compressed(tool, text), format: .text) == Self.tokens)
    }

    /// `cat corpus.tok | proteus-index ... -`: a .tok is a zstd or lz4 stream after its header.
    @Test(arguments: [TokCodec.zstd, .lz4, .none])
    func pipedTokFile(codec: TokCodec) throws {
        let dir = try TokTestSupport.temporaryFolder("stdin")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try TokTestSupport.writeTok(dir + "/c.tok", codec: codec, documents: [("d", Self.tokens)])
        #expect(try Self.readAll(Data(contentsOf: URL(fileURLWithPath: path)), format: .u32) == Self.tokens)
    }

    @Test func detectionCanBeTurnedOff() throws {
        let ids: [UInt32] = [0xFD2F_B528, 1, 2]
        let fd = Self.pipe(TokTestSupport.bytes(ids, width: .u32))
        defer { close(fd) }
        let reader = StdinTokenReader(descriptor: fd, format: .u32, detectCompression: false)
        var buffer = [UInt32](repeating: 0, count: 8)
        #expect(try buffer.withUnsafeMutableBufferPointer { try reader.read(into: $0) } == 3)
        #expect(Array(buffer.prefix(3)) == ids && reader.compression == .raw)
        // With detection on, the same bytes are taken for a (broken) zstd stream.
        #expect(TokTestSupport.failure { _ = try Self.readAll(TokTestSupport.bytes(ids, width: .u32), format: .u32) }
            == "-: zstd stream is truncated")
    }

    @Test func partialTrailingToken() throws {
        var data = TokTestSupport.bytes([1, 2, 3], width: .u32)
        data.append(contentsOf: [9, 9, 9])
        #expect(TokTestSupport.failure { _ = try Self.readAll(data, format: .u32) }
                == "-: ends in the middle of a u32 token (3 stray bytes)")
        #expect(TokTestSupport.failure { _ = try Self.readAll(Data([1, 0, 2]), format: .u16) }
                == "-: ends in the middle of a u16 token (1 stray byte)")
    }

    @Test func badTextWord() throws {
        #expect(TokTestSupport.failure { _ = try Self.readAll(Data("12 34 abc 5".utf8), format: .text) }
                == "-: at byte 6: 'abc' is not a token id")
        #expect(TokTestSupport.failure { _ = try Self.readAll(Data("1 2x".utf8), format: .text) }
                == "-: at byte 2: '2x' is not a token id")
        #expect(TokTestSupport.failure { _ = try Self.readAll(Data("4294967296".utf8), format: .text) }
                == "-: at byte 0: '4294967296' is not a token id")
    }

    @Test func truncatedCompressedStream() throws {
        let z = try Self.compressed("zstd", TokTestSupport.bytes(Self.tokens, width: .u32))
        #expect(TokTestSupport.failure { _ = try Self.readAll(z.prefix(z.count / 2), format: .u32) }
                == "-: zstd stream is truncated")
    }

    @Test func spoolMakesARandomAccessFileAndLeavesNothingBehind() throws {
        let dir = try TokTestSupport.temporaryFolder("spool")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fd = Self.pipe(try Self.compressed("lz4", TokTestSupport.bytes(Self.tokens, width: .u16)))
        defer { close(fd) }
        let tok = try StdinTokenReader(descriptor: fd, format: .u16).spool(folder: dir, frameTokens: 10_000)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [])
        #expect(tok.name == "-" && tok.formatName == "tok/zstd" && tok.storedWidth == .u16)
        #expect(tok.documents.names == ["-"] && tok.tokenCount == UInt64(Self.tokens.count))
        #expect(try TokTests.readAll(tok, window: 65_536) == Self.tokens)
        #expect(try tok.verify().isValid)
    }

    @Test func spoolReportsStreamErrors() throws {
        let dir = try TokTestSupport.temporaryFolder("spool")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fd = Self.pipe(Data("1 2 three".utf8))
        defer { close(fd) }
        #expect(TokTestSupport.failure { _ = try StdinTokenReader(descriptor: fd, format: .text).spool(folder: dir) }
                == "-: at byte 4: 'three' is not a token id")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [])
    }
}
