/// A token shard written by Karpathy's llm.c (`dev/data/*.py`): a 1024-byte header of
/// 256 little-endian int32 — magic, version, token count — followed by the tokens.
///
/// Checked the way llm.c's C loader checks it: the magic must be known, the version must
/// match the magic, and the file must hold exactly `1024 + count × width` bytes.
public final class LLMCShard: TokenSource {
    /// The parsed header.
    public struct Header: Equatable, Sendable {
        /// GPT-2 shards: u16 tokens.
        public static let magicV1: Int32 = 20240520
        /// Llama-3 shards: u32 tokens.
        public static let magicV7: Int32 = 20240801
        public static let byteCount = 1024

        /// int32[0]: `magicV1` or `magicV7`.
        public var magic: Int32
        /// int32[1]: 1 with `magicV1`, 7 with `magicV7`.
        public var version: Int32
        /// int32[2]: tokens after the header.
        public var tokenCount: UInt64
        /// Token width implied by the magic.
        public var width: TokenWidth

        /// The llm.c magic stored in the first four bytes, or nil when they hold another value.
        static func magic(of bytes: [UInt8]) -> Int32? {
            guard bytes.count >= 4 else { return nil }
            let value = Int32(bitPattern: UInt32(bytes[0]) | UInt32(bytes[1]) << 8
                              | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
            return value == magicV1 || value == magicV7 ? value : nil
        }

        /// Parses and checks the header of `path`, whose total size is `fileSize`.
        static func parse(_ bytes: [UInt8], fileSize: UInt64, path: String) throws -> Header {
            guard fileSize >= UInt64(byteCount) else {
                throw ProteusError.corrupt(path, "truncated llm.c header: the file holds \(fileSize) bytes, the header needs \(byteCount)")
            }
            func int32(_ i: Int) -> Int32 {
                Int32(bitPattern: UInt32(bytes[i * 4]) | UInt32(bytes[i * 4 + 1]) << 8
                      | UInt32(bytes[i * 4 + 2]) << 16 | UInt32(bytes[i * 4 + 3]) << 24)
            }
            let magic = int32(0), version = int32(1), count = int32(2)
            let width: TokenWidth
            switch (magic, version) {
            case (magicV1, 1): width = .u16
            case (magicV7, 7): width = .u32
            case (magicV1, _), (magicV7, _):
                throw ProteusError.corrupt(path, at: 4, "unknown llm.c version \(version) for magic \(magic) (expected \(magic == magicV1 ? 1 : 7))")
            default:
                throw ProteusError.corrupt(path, at: 0, "not an llm.c shard: magic \(magic) (expected \(magicV1) or \(magicV7))")
            }
            guard count >= 0 else {
                throw ProteusError.corrupt(path, at: 8, "llm.c header has a negative token count \(count)")
            }
            let body = fileSize - UInt64(byteCount)
            let expected = UInt64(count) * UInt64(width.byteCount)
            guard body == expected else {
                throw ProteusError.corrupt(path, "llm.c header says \(count) tokens (\(expected) bytes) but the file holds \(body) bytes after the header")
            }
            return Header(magic: magic, version: version, tokenCount: UInt64(count), width: width)
        }
    }

    /// The path as the user gave it.
    public let name: String
    /// The checked header.
    public let header: Header
    public let documents: DocumentTable
    public var storedWidth: TokenWidth { header.width }
    public var tokenizer: TokenizerIdentity? { nil }
    public var formatName: String { "llm.c-v\(header.version)" }
    public var tokenCount: UInt64 { header.tokenCount }
    /// True when tokens are read from a memory map, false when through `pread`.
    public var isMapped: Bool { layout.map != nil }
    let layout: TokenFileLayout

    /// Opens and checks the shard at `path`; `forcePread` skips the memory map.
    public init(path: String, forcePread: Bool = false) throws {
        let file = try SystemFile(openForReading: path)
        let headerBytes = try file.readBytes(at: 0, count: Int(min(file.size, UInt64(Header.byteCount))))
        self.header = try Header.parse(headerBytes, fileSize: file.size, path: path)
        self.name = path
        // Tokens start at byte 1024, a multiple of the page-aligned map's 4-byte alignment,
        // so v7 windows are still handed out without copying.
        self.layout = TokenFileLayout(file: file, element: header.width == .u16 ? .u16 : .u32,
                                      segments: [TokenSegment(byteOffset: UInt64(Header.byteCount),
                                                              tokenCount: header.tokenCount)],
                                      forcePread: forcePread)
        self.documents = DocumentTable(single: path, tokenCount: header.tokenCount)
    }

    public func makeCursor() throws -> TokenCursor { TokenFileCursor(layout) }
}
