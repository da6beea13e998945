/// How the data frames of a `.tok` file are encoded. Every choice is a stream the real
/// `zstd -dc` / `lz4 -dc` prints as the raw little-endian tokens.
public enum TokCodec: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// zstd frames made of raw (stored) blocks: no compression, still a valid zstd stream.
    case none = 0
    case zstd = 1
    case lz4 = 2

    /// The name users type and `inspect` prints.
    public var description: String {
        switch self {
        case .none: return "none"
        case .zstd: return "zstd"
        case .lz4: return "lz4"
        }
    }

    /// Parses a codec name as a user types it ("zstd", "lz4", "none").
    public init?(name: String) {
        guard let c = TokCodec.allCases.first(where: { $0.description == name }) else { return nil }
        self = c
    }

    func makeCompressor(level: Int32?) throws -> FrameCompressor {
        switch self {
        case .none: return ZstdRawFrameWriter()
        case .zstd: return ZstdFrameCompressor(level: level ?? 3)
        case .lz4: return try LZ4FrameCompressor(level: level ?? 0)
        }
    }

    func makeDecompressor() throws -> FrameDecompressor {
        switch self {
        case .none, .zstd: return ZstdFrameDecompressor()
        case .lz4: return try LZ4FrameDecompressor()
        }
    }
}

/// The metadata header at the start of a `.tok` file, stored as the payload of a skippable
/// frame (magic 0x184D2A50) so that zstd and lz4 decoders step over it.
///
/// Payload layout (little-endian): "PTOK", format version u16, oldest reader version u16,
/// codec u8, width u8 (bytes per token), flags u16 (bit 0: tokenizer present), frame tokens
/// u32, total tokens u64, data-frame count u64 (frames holding tokens; from version 2 the seek
/// table lists two more, see `TokSeekLayout`), document-table offset u64 and length u64 (the
/// whole skippable frame), vocabulary size u32, tokenizer SHA-256 (32 bytes), tokenizer name
/// length u16 and UTF-8 bytes, then the low 32 bits of XXH64 of everything before it.
///
/// Versions: a file records the version that wrote it and the oldest reader version that can
/// read it; a reader refuses a file whose oldest reader is newer than itself.
struct TokHeader: Equatable {
    static let frameMagic: UInt32 = 0x184D_2A50
    static let magic: [UInt8] = Array("PTOK".utf8)
    /// The version this code writes and the newest it reads. Version 2's seek table lists
    /// every frame, which version 1 readers would misread, so it is also the oldest reader.
    static let formatVersion: UInt16 = 2
    /// Fixed part of the payload before the tokenizer name.
    static let fixedSize = 86
    /// Largest frame we accept: bounds every buffer a reader allocates (256 MiB of u32).
    static let maxFrameTokens = 1 << 26

    var formatVersion = TokHeader.formatVersion
    var oldestReaderVersion = TokHeader.formatVersion
    var codec: TokCodec
    var width: TokenWidth
    var frameTokens: UInt32
    var totalTokens: UInt64 = 0
    var dataFrameCount: UInt64 = 0
    var documentTableOffset: UInt64 = 0
    var documentTableLength: UInt64 = 0
    var tokenizer: TokenizerIdentity?

    /// How the seek table lines up with the frames, from the version that wrote the file.
    var layout: TokSeekLayout { TokSeekLayout(formatVersion: formatVersion) }

    /// Size of the whole skippable frame, header included.
    var frameSize: Int { SkippableFrame.headerSize + TokHeader.fixedSize + nameBytes.count + 4 }

    private var nameBytes: [UInt8] { Array((tokenizer?.name ?? "").utf8.prefix(255)) }

    /// The complete skippable frame.
    func encode() -> [UInt8] {
        var p = TokHeader.magic
        p += littleEndianBytes(formatVersion) + littleEndianBytes(oldestReaderVersion)
        p += [codec.rawValue, UInt8(width.byteCount)]
        p += littleEndianBytes(UInt16(tokenizer == nil ? 0 : 1))
        p += littleEndianBytes(frameTokens) + littleEndianBytes(totalTokens) + littleEndianBytes(dataFrameCount)
        p += littleEndianBytes(documentTableOffset) + littleEndianBytes(documentTableLength)
        p += littleEndianBytes(tokenizer?.vocabularySize ?? 0)
        p += tokenizer.map { $0.sha256 + [UInt8](repeating: 0, count: max(0, 32 - $0.sha256.count)) }.map { Array($0.prefix(32)) }
            ?? [UInt8](repeating: 0, count: 32)
        p += littleEndianBytes(UInt16(nameBytes.count)) + nameBytes
        return SkippableFrame.sealed(magic: TokHeader.frameMagic, payload: p)
    }

    /// Reads and checks the header at the start of `bytes` (the first bytes of a file of
    /// `fileSize` bytes). Checks in order: emptiness, magic, truncation, version, checksum, fields.
    static func decode(_ bytes: [UInt8], fileSize: UInt64, path: String) throws -> TokHeader {
        func fail(_ message: String) -> ProteusError { ProteusError(.dataError, path: path, message) }
        guard fileSize > 0 else { throw fail("file is empty, not a .tok file") }
        let expected: [UInt8?] = littleEndianBytes(frameMagic).map { $0 } + [nil, nil, nil, nil] + magic.map { $0 }
        for (i, e) in expected.enumerated() where i < bytes.count {
            if let e, bytes[i] != e { throw fail("not a .tok file (no PTOK header)") }
        }
        let payloadSize = bytes.count >= 8 ? Int(bytes.u32(at: 4)) : 0
        let needed = 8 + max(payloadSize, fixedSize + 4)
        guard bytes.count >= needed else {
            throw fail("truncated header (file has \(fileSize) bytes, the header needs \(needed))")
        }
        // Too short to hold even the versions: the same verdict the size check below gives.
        guard payloadSize >= 8 else {
            throw fail("corrupt header (payload of \(payloadSize) bytes for a 0-byte tokenizer name)")
        }
        let p = Array(bytes[8..<(8 + payloadSize)])
        let version = p.u16(at: 4), oldest = p.u16(at: 6)
        guard oldest <= formatVersion else {
            throw fail("format version \(version) is newer than this proteus-index reads (up to \(formatVersion)); upgrade proteus-index")
        }
        let nameLength = payloadSize >= fixedSize ? Int(p.u16(at: 84)) : 0
        guard payloadSize == fixedSize + nameLength + 4 else {
            throw fail("corrupt header (payload of \(payloadSize) bytes for a \(nameLength)-byte tokenizer name)")
        }
        guard UInt32(truncatingIfNeeded: XXH64.hash(Array(p[0..<(payloadSize - 4)]))) == p.u32(at: payloadSize - 4) else {
            throw fail("header checksum mismatch")
        }
        guard let codec = TokCodec(rawValue: p[8]) else { throw fail("unknown codec \(p[8]) in header") }
        guard let width = TokenWidth(rawValue: Int(p[9])) else { throw fail("unsupported token width of \(p[9]) bytes in header") }
        let frameTokens = p.u32(at: 12)
        guard frameTokens > 0, frameTokens <= maxFrameTokens else {
            throw fail("header declares \(frameTokens) tokens per frame (1...\(maxFrameTokens) supported)")
        }
        var h = TokHeader(codec: codec, width: width, frameTokens: frameTokens)
        h.formatVersion = version
        h.oldestReaderVersion = oldest
        h.totalTokens = p.u64(at: 16)
        h.dataFrameCount = p.u64(at: 24)
        h.documentTableOffset = p.u64(at: 32)
        h.documentTableLength = p.u64(at: 40)
        if p.u16(at: 10) & 1 != 0 {
            h.tokenizer = TokenizerIdentity(name: String(decoding: p[86..<(86 + nameLength)], as: UTF8.self),
                                            sha256: Array(p[52..<84]), vocabularySize: p.u32(at: 48))
        }
        return h
    }
}

extension Array where Element == UInt8 {
    func u16(at i: Int) -> UInt16 { withUnsafeBytes { UInt16(littleEndian: $0.loadUnaligned(fromByteOffset: i, as: UInt16.self)) } }
    func u32(at i: Int) -> UInt32 { withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: i, as: UInt32.self)) } }
    func u64(at i: Int) -> UInt64 { withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: i, as: UInt64.self)) } }
}
