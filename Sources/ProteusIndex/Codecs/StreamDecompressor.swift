import CZstd
import CLZ4

/// A byte stream (a pipe, usually stdin, read by the caller's `source`), transparently
/// decompressed when it is a zstd or lz4 stream, recognised by the magic of the first frame
/// after any leading skippable frames (a piped `.tok` starts with one). Memory is bounded:
/// one input buffer, plus the codec's own window. Bytes in, bytes out: the source's errors
/// pass through, the codec's are `CodecError`s for the caller to place.
public final class DecompressingByteStream {
    /// What the stream turned out to be.
    public enum Kind: Equatable, Sendable { case raw, zstd, lz4 }

    /// Fills a buffer with the next input bytes; returns how many, 0 at the end.
    private let source: (UnsafeMutableRawBufferPointer) throws -> Int
    private let input: UnsafeMutableRawBufferPointer
    private var inputStart = 0, inputEnd = 0
    private var inputEOF = false
    /// Known after the first `read`.
    public private(set) var kind: Kind = .raw
    private var detected = false
    private var zstd: OpaquePointer?
    private var lz4: OpaquePointer?
    /// True while a compressed frame is unfinished (so end of input there is truncation).
    private var frameOpen = false

    /// Reads the input through `source`. With `detectCompression` false the bytes are passed through as they are: for raw u32
    /// streams whose first id could be 0xFD2FB528, 0x184D2204 or 0x184D2A5x (far above any
    /// vocabulary, so detection is on by default).
    public init(detectCompression: Bool = true, bufferSize: Int = 1 << 20,
                source: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) {
        self.source = source
        self.detected = !detectCompression
        self.input = .allocate(byteCount: bufferSize, alignment: 64)
    }

    deinit {
        input.deallocate()
        if let zstd { ZSTD_freeDStream(zstd) }
        if let lz4 { LZ4F_freeDecompressionContext(lz4) }
    }

    /// Fills the input buffer with more bytes; false at end of input.
    private func refill() throws -> Bool {
        if inputStart > 0 {
            let kept = inputEnd - inputStart
            if kept > 0 { input.baseAddress!.copyMemory(from: input.baseAddress! + inputStart, byteCount: kept) }
            inputStart = 0; inputEnd = kept
        }
        guard !inputEOF, inputEnd < input.count else { return false }
        let n = try source(UnsafeMutableRawBufferPointer(rebasing: input[inputEnd...]))
        if n == 0 { inputEOF = true; return false }
        inputEnd += n
        return true
    }

    private func available() -> Int { inputEnd - inputStart }

    private func peek32() -> UInt32 { (input.baseAddress! + inputStart).loadUnaligned(as: UInt32.self) }

    /// Skips leading skippable frames and picks raw, zstd or lz4 from the next magic.
    private func detect() throws {
        detected = true
        while true {
            while available() < 8, try refill() {}
            guard available() >= 4 else { return }
            let magic = peek32()
            if SkippableFrame.magicRange.contains(magic), available() >= 8 {
                var skip = 8 + Int((input.baseAddress! + inputStart + 4).loadUnaligned(as: UInt32.self))
                while skip > 0 {
                    if available() == 0, try !refill() {
                        throw CodecError("stream ends inside a skippable frame")
                    }
                    let n = min(skip, available())
                    inputStart += n; skip -= n
                }
                continue
            }
            if let file = Self.ownFile(startingWith: magic) {
                throw CodecError("holds \(file), not tokens: give its path")
            }
            if magic == FrameMagic.zstd {
                kind = .zstd
                zstd = ZSTD_createDStream()
                _ = ZSTD_initDStream(zstd)
            } else if magic == FrameMagic.lz4 {
                kind = .lz4
                _ = LZ4F_createDecompressionContext(&lz4, UInt32(LZ4F_VERSION))
            }
            return
        }
    }

    /// What our own file `magic` (its first four bytes, little-endian) opens, if any: a piped
    /// index was read as ids ("cat x.phb | proteus-index inspect -" described 1.1M "tokens").
    /// As a raw stream's first id it would be above 2^30, far past any vocabulary.
    static func ownFile(startingWith magic: UInt32) -> String? {
        func head(_ bytes: [UInt8]) -> UInt32 { bytes[0..<4].reversed().reduce(0) { $0 << 8 | UInt32($1) } }
        switch magic {
        case head(IndexFormat.magic): return "a .phb index"
        case head(DNAFile.magic): return "a .dna file"
        default: return nil
        }
    }

    /// Reads up to `buffer.count` decoded bytes; returns 0 only at the end of the stream.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if !detected { try detect() }
        guard buffer.count > 0 else { return 0 }
        if kind == .raw && available() == 0 && !inputEOF {
            // Uncompressed input: read straight into the caller's buffer, no staging copy.
            let n = try source(buffer)
            if n == 0 { inputEOF = true }
            return n
        }
        while true {
            var atEnd = false
            if available() == 0, try !refill() {
                // An unfinished frame may still have decoded bytes buffered in the context:
                // drain them with an empty input before calling the stream truncated.
                if !frameOpen { return 0 }
                atEnd = true
            }
            var produced = 0
            switch kind {
            case .raw:
                produced = min(buffer.count, available())
                buffer.baseAddress!.copyMemory(from: input.baseAddress! + inputStart, byteCount: produced)
                inputStart += produced
            case .zstd:
                var inb = ZSTD_inBuffer(src: input.baseAddress! + inputStart, size: available(), pos: 0)
                var outb = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
                let r = ZSTD_decompressStream(zstd, &outb, &inb)
                if ZSTD_isError(r) != 0 {
                    throw CodecError("zstd: " + String(cString: ZSTD_getErrorName(r)))
                }
                inputStart += inb.pos; produced = outb.pos
                frameOpen = r != 0
            case .lz4:
                var dstSize = buffer.count, srcSize = available()
                let r = LZ4F_decompress(lz4, buffer.baseAddress, &dstSize, input.baseAddress! + inputStart, &srcSize, nil)
                if LZ4F_isError(r) != 0 {
                    throw CodecError("lz4: " + String(cString: LZ4F_getErrorName(r)))
                }
                inputStart += srcSize; produced = dstSize
                frameOpen = r != 0
            }
            if produced > 0 { return produced }
            if atEnd { throw CodecError("\(kind) stream is truncated") }
        }
    }
}
