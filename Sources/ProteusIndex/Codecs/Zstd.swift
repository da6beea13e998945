import CZstd

/// zstd frames through libzstd: one reusable `ZSTD_CCtx` per compressor, content size and
/// content checksum (low 32 bits of XXH64) written into every frame, so `zstd -t` checks
/// each frame and libzstd verifies the checksum while decoding at no extra pass.
public final class ZstdFrameCompressor: FrameCompressor {
    private let context: OpaquePointer

    /// A compressor at `level` (1 fast ... 19 small; negative levels are faster still).
    public init(level: Int32 = 3) {
        context = ZSTD_createCCtx()
        _ = ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
        _ = ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
        _ = ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 1)
    }

    deinit { ZSTD_freeCCtx(context) }

    /// `ZSTD_compressBound`: the largest frame for `sourceCount` bytes.
    public func bound(_ sourceCount: Int) -> Int { ZSTD_compressBound(sourceCount) }

    /// One frame via `ZSTD_compress2`, which records the content size.
    public func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        let r = ZSTD_compress2(context, destination.baseAddress, destination.count, source.baseAddress, source.count)
        if ZSTD_isError(r) != 0 { throw CodecError("zstd: " + String(cString: ZSTD_getErrorName(r))) }
        return r
    }
}

/// Decodes single zstd frames with one reusable `ZSTD_DCtx`, straight into the caller's buffer.
public final class ZstdFrameDecompressor: FrameDecompressor {
    private let context: OpaquePointer

    /// Creates the reusable decompression context.
    public init() { context = ZSTD_createDCtx() }

    deinit { ZSTD_freeDCtx(context) }

    /// `ZSTD_getFrameContentSize`, nil when unknown or malformed.
    public func declaredContentSize(_ frame: UnsafeRawBufferPointer) -> UInt64? {
        guard frame.count >= 4 else { return nil }
        let size = ZSTD_getFrameContentSize(frame.baseAddress, frame.count)
        // ZSTD_CONTENTSIZE_UNKNOWN (-1) and ZSTD_CONTENTSIZE_ERROR (-2) are macros Swift cannot import.
        return size >= UInt64.max - 1 ? nil : size
    }

    /// Checks the declared size, then `ZSTD_decompressDCtx` into `destination`.
    public func decompress(_ frame: UnsafeRawBufferPointer, into destination: UnsafeMutableRawPointer, expectedSize: Int) throws {
        guard let declared = declaredContentSize(frame) else {
            throw CodecError("zstd: frame header is corrupt or does not declare its content size")
        }
        guard declared == UInt64(expectedSize) else {
            throw CodecError("zstd: frame declares \(declared) bytes, expected \(expectedSize)")
        }
        let r = ZSTD_decompressDCtx(context, destination, expectedSize, frame.baseAddress, frame.count)
        if ZSTD_isError(r) != 0 {
            // ZSTD_error_checksum_wrong (22): zstd_errors.h is not in the CZstd shim.
            throw CodecError("zstd: " + String(cString: ZSTD_getErrorName(r)),
                             isChecksumMismatch: 0 &- r == 22)
        }
        // ZSTD_decompressDCtx decodes every frame in its input: a second frame would add bytes.
        guard r == expectedSize, ZSTD_findFrameCompressedSize(frame.baseAddress, frame.count) == frame.count else {
            throw CodecError("zstd: frame holds \(r) bytes or trailing data, expected \(expectedSize) bytes in one frame")
        }
    }
}

/// Codec `none`: a valid zstd frame made only of raw (stored) blocks, written by hand.
/// `zstd -dc` still prints the content, libzstd decodes it with a memcpy per block, and the
/// frame carries the same content checksum as compressed frames.
public final class ZstdRawFrameWriter: FrameCompressor {
    /// zstd's largest block (Block_Maximum_Size = min(window, 128 KiB)).
    static let maxBlock = 128 * 1024

    /// A stateless writer.
    public init() {}

    /// Header (9) + 3 bytes per 128 KiB block + content + checksum (4).
    public func bound(_ sourceCount: Int) -> Int {
        9 + 3 * max(1, (sourceCount + ZstdRawFrameWriter.maxBlock - 1) / ZstdRawFrameWriter.maxBlock) + sourceCount + 4
    }

    /// Header, raw blocks, XXH64 content checksum.
    public func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        precondition(destination.count >= bound(source.count) && source.count <= Int(UInt32.max))
        let out = destination.baseAddress!
        var at = 0
        func put<T: FixedWidthInteger>(_ v: T) {
            out.storeBytes(of: v.littleEndian, toByteOffset: at, as: T.self)
            at += MemoryLayout<T>.size
        }
        put(FrameMagic.zstd)
        // Frame header descriptor: FCS 4 bytes (0b10), single segment, content checksum.
        put(UInt8(0b1010_0100))
        put(UInt32(source.count))
        var done = 0
        repeat {
            let n = min(ZstdRawFrameWriter.maxBlock, source.count - done)
            let last: UInt32 = done + n == source.count ? 1 : 0
            let header = UInt32(n) << 3 | last // block type 0 = raw
            out.storeBytes(of: UInt8(header & 0xFF), toByteOffset: at, as: UInt8.self)
            out.storeBytes(of: UInt8(header >> 8 & 0xFF), toByteOffset: at + 1, as: UInt8.self)
            out.storeBytes(of: UInt8(header >> 16 & 0xFF), toByteOffset: at + 2, as: UInt8.self)
            at += 3
            if n > 0 { (out + at).copyMemory(from: source.baseAddress! + done, byteCount: n) }
            at += n; done += n
        } while done < source.count
        put(UInt32(truncatingIfNeeded: XXH64.hash(source)))
        return at
    }
}
