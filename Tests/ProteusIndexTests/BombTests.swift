import Testing
import Foundation
@testable import ProteusIndex

/// Decompression and allocation bombs: small hostile files whose headers claim enormous
/// sizes. Each must be refused with one clear line before anything that size is allocated
/// (a test that allocated would die of OOM or take seconds, not pass).
@Suite struct BombTests {
    static func folder() throws -> String { try TokTestSupport.temporaryFolder("bomb") }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }

    /// A valid 10-frame .tok whose header payload is rewritten by `edit` (checksum refreshed,
    /// so only the claim itself is hostile) and whose file bytes are then rewritten by `tail`.
    static func tokBomb(_ dir: String, header edit: (inout [UInt8]) -> Void,
                        file tail: (inout [UInt8]) -> Void = { _ in }) throws -> String {
        let path = try TokTestSupport.writeTok(dir + "/bomb.tok", codec: .zstd,
                                               documents: [("d", TokTestSupport.tokens(10_000, seed: 3))])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let payloadSize = Int(bytes.u32(at: 4))
        var payload = Array(bytes[8..<(8 + payloadSize)])
        edit(&payload)
        let sum = UInt32(truncatingIfNeeded: XXH64.hash(Array(payload[0..<(payloadSize - 4)])))
        payload.replaceSubrange((payloadSize - 4)..<payloadSize, with: le(sum))
        bytes.replaceSubrange(8..<(8 + payloadSize), with: payload)
        tail(&bytes)
        try write(bytes, to: path)
        return path
    }

    @Test func tokFrameClaiming4GiB() throws {
        let dir = try Self.folder(); defer { try? FileManager.default.removeItem(atPath: dir) }
        // 2^30 u32 tokens per frame: a 4 GiB frame buffer if believed.
        let path = try Self.tokBomb(dir, header: { $0.replaceSubrange(12..<16, with: Self.le(UInt32(1 << 30))) })
        let m = TokTestSupport.failure { _ = try TokFile(path: path) }
        #expect(m == "\(path): header declares 1073741824 tokens per frame (1...67108864 supported)")
    }

    @Test func tokSeekTableWith2To27Entries() throws {
        let dir = try Self.folder(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let frames = UInt32(1 << 27) // the header counts 2 fewer: data frames, without the metadata and document frames
        let path = try Self.tokBomb(dir, header: { $0.replaceSubrange(24..<32, with: Self.le(UInt64(frames - 2))) },
                                    file: { $0.replaceSubrange(($0.count - 9)..<($0.count - 5), with: Self.le(frames)) })
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        let m = TokTestSupport.failure { _ = try TokFile(path: path) }
        #expect(m == "\(path): seek table of 134217728 frames (\(12 * (1 << 27) + 17) bytes) does not fit in the file of \(size) bytes")
    }

    @Test func llmcHeaderWithAHugeCount() throws {
        let dir = try Self.folder(); defer { try? FileManager.default.removeItem(atPath: dir) }
        var header = [Int32](repeating: 0, count: 256)
        header[0] = 20240801; header[1] = 7; header[2] = Int32.max
        let path = dir + "/bomb.bin"
        try Self.write(header.flatMap { Self.le($0) } + [UInt8](repeating: 0, count: 64), to: path)
        let m = TokTestSupport.failure { _ = try LLMCShard(path: path) }
        #expect(m == "\(path): llm.c header says 2147483647 tokens (8589934588 bytes) but the file holds 64 bytes after the header")
    }

    static func megatronIndex(sequences: UInt64, documents: UInt64) -> [UInt8] {
        Array("MMIDIDX\0\0".utf8) + le(UInt64(1)) + [8] + le(sequences) + le(documents)  // dtype 8: uint16
    }

    @Test func megatronCountsThatOverflowWhenMultiplied() throws {
        let dir = try Self.folder(); defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write([UInt8](repeating: 0, count: 64), to: dir + "/m.bin")
        try Self.write(Self.megatronIndex(sequences: 1 << 61, documents: 2), to: dir + "/m.idx")
        let m = TokTestSupport.failure { _ = try MegatronDataset(path: dir + "/m") }
        #expect(m == "\(dir)/m.idx: at byte 18: header announces 2305843009213693952 sequences and 2 document indices: their size overflows 64 bits")
    }

    @Test func megatronCountsLargerThanTheIndex() throws {
        let dir = try Self.folder(); defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write([UInt8](repeating: 0, count: 64), to: dir + "/m.bin")
        try Self.write(Self.megatronIndex(sequences: 1 << 40, documents: 1 << 40), to: dir + "/m.idx")
        let m = TokTestSupport.failure { _ = try MegatronDataset(path: dir + "/m") }
        #expect(m == "\(dir)/m.idx: index holds 34 bytes but 1099511627776 sequences and 1099511627776 document indices need 21990232555554")
    }

    @Test func safetensorsHeaderOver100MB() throws {
        let dir = try Self.folder(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/bomb.safetensors"
        try Self.write(Self.le(UInt64(150_000_000)) + Array("{\"a\":".utf8), to: path)
        let m = TokTestSupport.failure { _ = try SafetensorsFile(path: path) }
        #expect(m == "\(path): safetensors header of 150000000 bytes is larger than the 100 MB limit")
        let e = TokTestSupport.failure { _ = try EmbeddingMatrix.load(path: path) }
        #expect(e == m)
    }

    @Test func npyHeaderClaimingAHugeShape() throws {
        let dir = try Self.folder(); defer { try? FileManager.default.removeItem(atPath: dir) }
        func npy(_ shape: String) -> [UInt8] {
            var text = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
            while (10 + text.utf8.count + 1) % 64 != 0 { text += " " }
            return [0x93] + Array("NUMPY".utf8) + [1, 0] + Self.le(UInt16(text.utf8.count + 1)) + Array(text.utf8) + [0x0A]
                + [UInt8](repeating: 0, count: 16)
        }
        let huge = dir + "/huge.npy", overflow = dir + "/overflow.npy"
        try Self.write(npy("(4294967296, 4096)"), to: huge)
        try Self.write(npy("(4294967296, 4294967296)"), to: overflow)
        #expect(TokTestSupport.failure { _ = try NPYFile(path: huge) }
                == "\(huge): data is 16 bytes but shape (4294967296, 4096) of '<f4' needs 70368744177664 (4 bytes each)")
        #expect(TokTestSupport.failure { _ = try EmbeddingMatrix.load(path: huge) }
                == "\(huge): data is 16 bytes but shape (4294967296, 4096) of '<f4' needs 70368744177664 (4 bytes each)")
        #expect(TokTestSupport.failure { _ = try NPYFile(path: overflow) }
                == "\(overflow): shape (4294967296, 4294967296) has too many elements (overflow)")
    }

    @Test func stdinTextWithAOneGigabyteWordFailsEarly() throws {
        // The writer would send 1 GiB of digits: one word. The reader must give up after a
        // bounded read (the word is already not a token id), not buffer or read it all.
        signal(SIGPIPE, SIG_IGN)
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        let writeEnd = fds[1]
        final class Sent: @unchecked Sendable { var bytes = 0 }
        let sent = Sent(), done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let block = [UInt8](repeating: UInt8(ascii: "7"), count: 1 << 20)
            for _ in 0..<1024 {
                let n = block.withUnsafeBytes { Glibc.write(writeEnd, $0.baseAddress!, $0.count) }
                if n <= 0 { break }
                sent.bytes += n
            }
            close(writeEnd)
            done.signal()
        }
        let reader = StdinTokenReader(descriptor: fds[0], format: .text, name: "-", detectCompression: false)
        let buffer = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: 4096)
        defer { buffer.deallocate() }
        let m = TokTestSupport.failure { while try reader.read(into: buffer) > 0 {} }
        close(fds[0])
        done.wait()
        #expect(m == "-: at byte 0: '" + String(repeating: "7", count: 64) + "' is not a token id")
        #expect(sent.bytes < 64 << 20, "read \(sent.bytes) bytes of a word already known to be bad")
    }

    @Test func tiktokenRankFarBeyondTheFileSize() throws {
        // Found by tools/fuzz.sh (tiktoken): 26 bytes whose rank 114040114 made the parser
        // fill the gap below it with 114 million empty entries (1 GiB).
        let text = Array("IQ== 0114040114\n In114\n In".utf8)
        let m = TokTestSupport.failure { _ = try text.withUnsafeBytes { try TiktokenFile.parse($0, path: "bomb.tiktoken") } }
        #expect(m == "bomb.tiktoken: line 1: rank 114040114 is larger than a rank file of 26 bytes can hold")
    }
}
