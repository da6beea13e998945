import CLZ4

/// LZ4 frames through liblz4's LZ4F API, one frame per buffer: independent blocks, content
/// size in the header (so a reader can refuse a frame before allocating) and a content
/// checksum (XXH32) that liblz4 verifies while decoding. `lz4 -dc` prints the content.
public final class LZ4FrameCompressor: FrameCompressor {
    private var context: OpaquePointer?
    private var preferences = LZ4F_preferences_t()

    /// `level` 0...2 is the fast compressor, 3...12 LZ4-HC.
    public init(level: Int32 = 0) throws {
        let r = LZ4F_createCompressionContext(&context, UInt32(LZ4F_VERSION))
        if LZ4F_isError(r) != 0 { throw CodecError("lz4: " + String(cString: LZ4F_getErrorName(r))) }
        preferences.frameInfo.blockSizeID = LZ4F_max4MB
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        preferences.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        preferences.compressionLevel = level
    }

    deinit { LZ4F_freeCompressionContext(context) }

    /// Header plus `LZ4F_compressBound` for a frame of `sourceCount` bytes.
    public func bound(_ sourceCount: Int) -> Int {
        LZ4F_HEADER_SIZE_MAX_VALUE + LZ4F_compressBound(sourceCount, &preferences)
    }

    /// One complete LZ4 frame (begin, update, end) with the content size recorded.
    public func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        preferences.frameInfo.contentSize = UInt64(source.count)
        let out = destination.baseAddress!
        var at = LZ4F_compressBegin(context, out, destination.count, &preferences)
        if LZ4F_isError(at) != 0 { throw error(at) }
        let body = LZ4F_compressUpdate(context, out + at, destination.count - at, source.baseAddress, source.count, nil)
        if LZ4F_isError(body) != 0 { throw error(body) }
        at += body
        let end = LZ4F_compressEnd(context, out + at, destination.count - at, nil)
        if LZ4F_isError(end) != 0 { throw error(end) }
        return at + end
    }

    private func error(_ code: Int) -> CodecError { CodecError("lz4: " + String(cString: LZ4F_getErrorName(code))) }
}

/// LZ4F_HEADER_SIZE_MAX is a macro; it is 19 bytes (magic, FLG, BD, content size, dict id, HC).
let LZ4F_HEADER_SIZE_MAX_VALUE = 19

/// Decodes single LZ4 frames with one reusable `LZ4F_dctx`, straight into the caller's buffer.
public final class LZ4FrameDecompressor: FrameDecompressor {
    private var context: OpaquePointer?

    /// Creates the decompression context; throws only when liblz4 cannot allocate it.
    public init() throws {
        let r = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        if LZ4F_isError(r) != 0 { throw CodecError("lz4: " + String(cString: LZ4F_getErrorName(r))) }
    }

    deinit { LZ4F_freeDecompressionContext(context) }

    /// Parsed from the frame descriptor by hand: `LZ4F_getFrameInfo` would advance the context.
    public func declaredContentSize(_ frame: UnsafeRawBufferPointer) -> UInt64? {
        guard frame.count >= 15, frame.loadUnaligned(as: UInt32.self) == FrameMagic.lz4 else { return nil }
        let flags = frame[4]
        guard flags >> 6 == 1, flags & 0b1000 != 0 else { return nil }
        return UInt64(littleEndian: frame.loadUnaligned(fromByteOffset: 6, as: UInt64.self))
    }

    /// Loops `LZ4F_decompress` until the frame ends; the context is reset after an error.
    public func decompress(_ frame: UnsafeRawBufferPointer, into destination: UnsafeMutableRawPointer, expectedSize: Int) throws {
        // LZ4F writes no content size for an empty frame (0 means "unknown" in its API).
        let emptyFrame = expectedSize == 0 && frame.count >= 7 && frame.loadUnaligned(as: UInt32.self) == FrameMagic.lz4
        guard let declared = declaredContentSize(frame) ?? (emptyFrame ? 0 : nil) else {
            throw CodecError("lz4: frame header is corrupt or does not declare its content size")
        }
        guard declared == UInt64(expectedSize) else {
            throw CodecError("lz4: frame declares \(declared) bytes, expected \(expectedSize)")
        }
        var produced = 0, consumed = 0
        while true {
            var dstSize = expectedSize - produced
            var srcSize = frame.count - consumed
            let hint = LZ4F_decompress(context, destination + produced, &dstSize,
                                       frame.baseAddress! + consumed, &srcSize, nil)
            if LZ4F_isError(hint) != 0 {
                LZ4F_resetDecompressionContext(context)
                let name = String(cString: LZ4F_getErrorName(hint))
                throw CodecError("lz4: " + name, isChecksumMismatch: name == "ERROR_contentChecksum_invalid")
            }
            produced += dstSize; consumed += srcSize
            if hint == 0 { break } // frame complete, checksum verified
            if srcSize == 0 && dstSize == 0 || consumed == frame.count {
                LZ4F_resetDecompressionContext(context)
                throw CodecError("lz4: frame is truncated")
            }
        }
        guard produced == expectedSize, consumed == frame.count else {
            throw CodecError("lz4: frame holds \(produced) bytes or trailing data, expected \(expectedSize) bytes in one frame")
        }
    }
}
