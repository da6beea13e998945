/// A codec failure, without file or frame context (the container adds those):
/// "zstd: Corrupted block detected", "lz4: ERROR_contentChecksum_invalid".
public struct CodecError: Error, Equatable, CustomStringConvertible {
    /// The one-line message, starting with the codec name.
    public let message: String
    /// True when the codec's own content checksum disagreed with the decoded bytes, which the
    /// container reports as "checksum mismatch" like a seek-table checksum failure.
    public let isChecksumMismatch: Bool

    /// A failure with `message`.
    public init(_ message: String, isChecksumMismatch: Bool = false) {
        self.message = message
        self.isChecksumMismatch = isChecksumMismatch
    }

    /// Same as `message`.
    public var description: String { message }
}

/// Compresses one buffer into one self-contained frame (zstd, lz4, or zstd raw blocks).
public protocol FrameCompressor: AnyObject {
    /// Largest frame `compress` can produce for `sourceCount` bytes: size the output buffer with it.
    func bound(_ sourceCount: Int) -> Int
    /// Writes one complete frame for `source` into `destination`; returns its size.
    func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Decompresses one complete frame into a caller buffer of exactly the expected size.
public protocol FrameDecompressor: AnyObject {
    /// The content size written in the frame's header, or nil when the frame does not say or
    /// the header is malformed. Lets callers refuse a frame before allocating anything for it.
    func declaredContentSize(_ frame: UnsafeRawBufferPointer) -> UInt64?
    /// Decodes `frame` (exactly one frame, nothing after it) into `destination`, which must hold
    /// exactly `expectedSize` bytes. Throws when the frame declares another size (before
    /// decoding), is corrupt, or fails its content checksum.
    func decompress(_ frame: UnsafeRawBufferPointer, into destination: UnsafeMutableRawPointer, expectedSize: Int) throws
}

/// The magic numbers that open each kind of frame (little-endian u32), written once.
public enum FrameMagic {
    public static let zstd: UInt32 = 0xFD2F_B528
    public static let lz4: UInt32 = 0x184D_2204
    /// lz4's legacy frame (`lz4 -l`).
    public static let lz4Legacy: UInt32 = 0x184C_2102

    /// Whether `magic` opens a skippable frame (0x184D2A50...0x184D2A5F).
    public static func isSkippable(_ magic: UInt32) -> Bool { SkippableFrame.magicRange.contains(magic) }
}

/// Skippable frames (magic 0x184D2A50...0x184D2A5F, u32 size, payload): every zstd and lz4
/// decoder skips them, so they carry our metadata without disturbing `zstd -dc` / `lz4 -dc`.
/// Written by hand because the libzstd helpers need ZSTD_STATIC_LINKING_ONLY.
public enum SkippableFrame {
    /// Magic u32 + payload size u32.
    public static let headerSize = 8
    /// The sixteen magics zstd and lz4 treat as skippable.
    public static let magicRange: ClosedRange<UInt32> = 0x184D_2A50...0x184D_2A5F

    /// The 8-byte header of a skippable frame whose payload is `payloadSize` bytes.
    public static func header(magic: UInt32, payloadSize: Int) -> [UInt8] {
        precondition(magicRange.contains(magic) && payloadSize <= Int(UInt32.max))
        return littleEndianBytes(magic) + littleEndianBytes(UInt32(payloadSize))
    }

    /// A frame of our own tables: `payload` (a 4-byte tag first) sealed with the low 32 bits
    /// of its XXH64.
    static func sealed(magic: UInt32, payload: [UInt8]) -> [UInt8] {
        let p = payload + littleEndianBytes(UInt32(truncatingIfNeeded: XXH64.hash(payload)))
        return header(magic: magic, payloadSize: p.count) + p
    }

    /// The problem with a sealed frame of `magic` and `tag` (header, tag, at least `minimum`
    /// bytes, checksum), or nil when it is sound.
    static func problem(ofSealed bytes: [UInt8], magic: UInt32, tag: String, minimum: Int = 24) -> String? {
        bytes.withUnsafeBytes { problem(ofSealed: $0, magic: magic, tag: tag, minimum: minimum) }
    }

    /// The same check on bytes used in place (a mapped frame). The checksum is taken in runs
    /// of 16 MiB, each handed to `done` once hashed (to release its pages).
    static func problem(ofSealed bytes: UnsafeRawBufferPointer, magic: UInt32, tag: String, minimum: Int = 24,
                        done: (Range<Int>) -> Void = { _ in }) -> String? {
        func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        guard bytes.count >= minimum, u32(0) == magic, Int(u32(4)) == bytes.count - 8,
              bytes[8..<12].elementsEqual(tag.utf8) else { return "bad frame header" }
        var hasher = XXH64()
        let end = bytes.count - 4
        var at = 8
        while at < end {
            let run = at..<min(end, at + 16 << 20)
            hasher.update(UnsafeRawBufferPointer(rebasing: bytes[run]))
            done(run)
            at = run.upperBound
        }
        guard UInt32(truncatingIfNeeded: hasher.digest()) == u32(end) else { return "checksum mismatch" }
        return nil
    }
}

/// The little-endian bytes of an integer.
@inline(__always)
func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}
