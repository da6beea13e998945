/// A `.tok` file opened for reading: header, seek table (`TokFrameMap`, either layout) and
/// document table are checked against each other and against the file size at open time
/// (O(frames), no frame decoded).
///
/// Reading maps the file (`mmap`), or uses `pread` when mapping fails or when asked to;
/// both paths give identical windows. Cursors decode one frame at a time into their own
/// reused buffers, so any number of cursors may read concurrently (the file object itself
/// is immutable after `init`, hence `@unchecked Sendable`).
public final class TokFile: TokenSource, @unchecked Sendable {
    /// How bytes are fetched from disk.
    public enum Access: Sendable {
        /// Map the file; fall back to `pread` when the mapping is refused.
        case automatic
        /// Always `pread` into a buffer (for filesystems where mapping is slow or unsafe).
        case pread
    }

    /// Reading options; the defaults are what the tool uses.
    public struct Options: Sendable {
        /// mmap with fallback, or pread only.
        public var access: Access
        /// Check every frame against its seek-table checksum as it is read. For zstd and none
        /// this is free (libzstd verifies the frame's own XXH64, which we compare to the table);
        /// for lz4 it adds an XXH64 pass over the decoded bytes (liblz4 verifies the frame's
        /// XXH32 content checksum in any case).
        public var verifyChecksums: Bool

        /// Defaults: map when possible, verify checksums.
        public init(access: Access = .automatic, verifyChecksums: Bool = true) {
            self.access = access
            self.verifyChecksums = verifyChecksums
        }
    }

    /// The path as given, or "-" for spooled stdin; every message starts with it.
    public let name: String
    /// The options the file was opened with.
    public let options: Options
    let file: SystemFile
    /// The mapping, or nil when reading with pread.
    let mapped: MappedFile?
    let header: TokHeader
    /// The seek-table entries of the data frames (the whole table may list more, see `layout`).
    let seekTable: SeekTable
    /// Entries in the seek table as written.
    let seekTableEntries: Int
    /// Byte offset of each data frame, plus one entry for the end of the last.
    let frameOffsets: [UInt64]
    /// The documents recorded by the writer, read in place from the document frame.
    public let documents: DocumentTable
    /// Files the encode that made this corpus left out (format version 2; else empty).
    public let skippedFiles: [SkippedFile]

    /// Tokens in the file.
    public var tokenCount: UInt64 { header.totalTokens }
    /// u16 or u32 on disk; cursors always return u32.
    public var storedWidth: TokenWidth { header.width }
    /// The tokenizer recorded in the header, if any.
    public var tokenizer: TokenizerIdentity? { header.tokenizer }
    /// Codec of the data frames.
    public var codec: TokCodec { header.codec }
    /// "tok/zstd", "tok/lz4" or "tok/none".
    public var formatName: String { "tok/\(header.codec)" }
    /// Tokens per frame (the last frame may hold fewer).
    public var frameTokens: Int { Int(header.frameTokens) }
    /// Number of data frames.
    public var frameCount: Int { seekTable.count }
    /// Which frames the seek table lists (version 1: data frames only).
    public var layout: TokSeekLayout { header.layout }

    /// Opens and validates `path`.
    public convenience init(path: String, options: Options = Options()) throws {
        try self.init(file: SystemFile(openForReading: path), name: path, options: options)
    }

    /// Opens an already open file; `name` is what messages call it ("-" for the stdin spool).
    init(file: SystemFile, name: String, options: Options) throws {
        self.name = name
        self.options = options
        self.file = file
        let size = file.size
        let prefix = try file.readBytes(at: 0, count: Int(min(size, 8 + 65_536)))
        header = try TokHeader.decode(prefix, fileSize: size, path: name)
        let headerSize = UInt64(SkippableFrame.headerSize) + UInt64(prefix.u32(at: 4))
        let frames = try TokFrameMap(header: header, headerSize: headerSize, fileSize: size, path: name) {
            try file.readBytes(at: $0, count: $1)
        }
        seekTable = frames.data
        frameOffsets = frames.offsets
        seekTableEntries = frames.entryCount
        skippedFiles = try frames.skipped.map { try TokSkippedFrame.decode(file.readBytes(at: $0.offset, count: $0.count),
                                                                           at: $0.offset, path: name) } ?? []
        var map: MappedFile? = nil
        if options.access == .automatic { map = try? MappedFile(file) }
        mapped = map
        let at = frames.offsets.last!
        // Read in place from the mapping (with pread access, from a mapped temporary copy).
        let frame = try PinnedBytes(file, map: map, offset: at, count: Int(header.documentTableLength),
                                    contents: "the document table")
        documents = DocumentTable(try TokDocumentFrame.decode(frame, at: at, totalTokens: header.totalTokens, path: name))
    }

    /// A cursor with its own decompression context and buffers.
    public func makeCursor() throws -> TokenCursor { try TokCursor(self) }

    /// Compressed bytes of frame `i` (offset, length).
    @inline(__always) func frameRange(_ i: Int) -> (offset: UInt64, count: Int) {
        (frameOffsets[i], Int(seekTable.compressedSizes[i]))
    }

    /// What `inspect` prints about the file.
    public var summary: TokFileSummary {
        TokFileSummary(codec: header.codec, width: header.width, tokens: header.totalTokens,
                       documents: documents.count, frames: seekTable.count, frameTokens: Int(header.frameTokens),
                       compressedBytes: frameOffsets.last! - frameOffsets.first!,
                       uncompressedBytes: header.totalTokens * UInt64(header.width.byteCount),
                       fileBytes: file.size, formatVersion: header.formatVersion, layout: header.layout,
                       seekTableEntries: seekTableEntries, tokenizer: header.tokenizer, isMapped: mapped != nil)
    }
}

/// The facts `inspect` reports about a `.tok` file.
public struct TokFileSummary: Equatable, Sendable {
    /// Codec of the data frames.
    public let codec: TokCodec
    /// Stored token width.
    public let width: TokenWidth
    /// Number of tokens.
    public let tokens: UInt64
    /// Number of documents.
    public let documents: Int
    /// Number of data frames.
    public let frames: Int
    /// Tokens per frame.
    public let frameTokens: Int
    /// Bytes of the data frames (header, document table and seek table excluded).
    public let compressedBytes: UInt64
    /// Bytes the tokens take decompressed (tokens × width).
    public let uncompressedBytes: UInt64
    /// Size of the whole file.
    public let fileBytes: UInt64
    /// Format version the writer used.
    public let formatVersion: UInt16
    /// Which frames the seek table lists.
    public let layout: TokSeekLayout
    /// Entries in the seek table (the data frames, plus the metadata and document frames from version 2).
    public let seekTableEntries: Int
    /// The recorded tokenizer, if any.
    public let tokenizer: TokenizerIdentity?
    /// Whether reads go through a memory map (false: pread).
    public let isMapped: Bool
}
