import Testing
import Foundation
@testable import ProteusIndex

@Suite struct CodecTests {
    static func content(_ n: Int) -> [UInt8] {
        TokTestSupport.bytes(TokTestSupport.tokens(n / 4 + 1), width: .u32).prefix(n).map { $0 }
    }

    static func encode(_ c: FrameCompressor, _ data: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: c.bound(data.count))
        let n = try data.withUnsafeBytes { src in try out.withUnsafeMutableBytes { try c.compress(src, into: $0) } }
        return Array(out.prefix(n))
    }

    static func decode(_ d: FrameDecompressor, _ frame: [UInt8], expected: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: max(expected, 1))
        try frame.withUnsafeBytes { src in try out.withUnsafeMutableBytes { try d.decompress(src, into: $0.baseAddress!, expectedSize: expected) } }
        return Array(out.prefix(expected))
    }

    static let cases: [(String, () throws -> FrameCompressor, () throws -> FrameDecompressor, String)] = [
        ("zstd", { ZstdFrameCompressor(level: 3) }, { ZstdFrameDecompressor() }, "zstd"),
        ("none", { ZstdRawFrameWriter() }, { ZstdFrameDecompressor() }, "zstd"),
        ("lz4", { try LZ4FrameCompressor() }, { try LZ4FrameDecompressor() }, "lz4"),
    ]

    /// Round trip through our code, and the real CLI prints the same bytes from our frame.
    @Test(arguments: [0, 1, 1000, 131_072, 131_073, 400_000])
    func roundTripAndRealToolAgree(size: Int) throws {
        let data = Self.content(size)
        for (name, makeC, makeD, tool) in Self.cases {
            let compressor = try makeC(), decompressor = try makeD()
            let frame = try Self.encode(compressor, data)
            // LZ4F cannot declare an empty content size (0 means unknown there).
            let declared: UInt64? = name == "lz4" && size == 0 ? nil : UInt64(size)
            #expect(frame.withUnsafeBytes { decompressor.declaredContentSize($0) } == declared, "\(name)")
            #expect(try Self.decode(decompressor, frame, expected: size) == data, "\(name)")
            let r = try TokTestSupport.run(tool, ["-dc"], stdin: Data(frame))
            #expect(r.status == 0, "\(name): \(r.stderr)")
            #expect(r.stdout == Data(data), "\(name)")
            // The context is reused: a second frame through the same objects still round-trips.
            #expect(try Self.decode(decompressor, Self.encode(compressor, data), expected: size) == data, "\(name)")
        }
    }

    @Test func wrongExpectedSizeIsRefusedBeforeDecoding() throws {
        let frame = try Self.encode(ZstdFrameCompressor(), Self.content(1000))
        #expect(TokTestSupport.failure { _ = try Self.decode(ZstdFrameDecompressor(), frame, expected: 999) }
                == "zstd: frame declares 1000 bytes, expected 999")
        let lz = try Self.encode(LZ4FrameCompressor(), Self.content(1000))
        #expect(TokTestSupport.failure { _ = try Self.decode(LZ4FrameDecompressor(), lz, expected: 4000) }
                == "lz4: frame declares 1000 bytes, expected 4000")
    }

    @Test func corruptZstdFrameReportsTheLibraryError() throws {
        var frame = try Self.encode(ZstdFrameCompressor(), Self.content(100_000))
        for i in 20..<60 { frame[i] ^= 0x5A }
        let message = TokTestSupport.failure { _ = try Self.decode(ZstdFrameDecompressor(), frame, expected: 100_000) }
        #expect(message == "zstd: Data corruption detected")
    }

    @Test func zstdChecksumFailureIsFlagged() throws {
        var frame = try Self.encode(ZstdRawFrameWriter(), Self.content(1000))
        frame[100] ^= 1 // inside a raw block: decodes fine, content checksum no longer matches
        do {
            _ = try Self.decode(ZstdFrameDecompressor(), frame, expected: 1000)
            Issue.record("corrupt frame accepted")
        } catch let e as CodecError {
            #expect(e.isChecksumMismatch)
            #expect(e.message == "zstd: Restored data doesn't match checksum")
        }
    }

    @Test func lz4ChecksumFailureIsFlagged() throws {
        var frame = try Self.encode(LZ4FrameCompressor(), Self.content(1000))
        frame[frame.count - 1] ^= 1
        do {
            _ = try Self.decode(LZ4FrameDecompressor(), frame, expected: 1000)
            Issue.record("corrupt frame accepted")
        } catch let e as CodecError {
            #expect(e.isChecksumMismatch)
            #expect(e.message == "lz4: ERROR_contentChecksum_invalid")
        }
    }

    @Test func skippableFramesAreSkippedByBothTools() throws {
        let payload: [UInt8] = Array("metadata".utf8)
        let skip = SkippableFrame.header(magic: 0x184D_2A50, payloadSize: payload.count) + payload
        for (_, makeC, _, tool) in Self.cases {
            let frame = try Self.encode(makeC(), Self.content(10))
            let r = try TokTestSupport.run(tool, ["-dc"], stdin: Data(skip + frame + skip))
            #expect(r.status == 0, "\(tool): \(r.stderr)")
            #expect(r.stdout == Data(Self.content(10)))
        }
    }
}
