/// A `.tok` file opened for reading: header, seek table and document table are checked
/// against each other and against the file size at open time (O(frames), no frame decoded).
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
    let seekTable: SeekTable
    /// Byte offset of each data frame, plus one entry for the end of the last.
    let frameOffsets: [UInt64]
    /// The documents recorded by the writer.
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
        func fail(_ m: String) -> ProteusError { ProteusError(.dataError, path: name, m) }

        guard size >= headerSize + UInt64(SeekTable.footerSize) else {
            throw fail("no seek table at the end of the file (truncated, or not finished writing)")
        }
        let frames = try SeekTable.frameCount(footer: file.readBytes(at: size - 9, count: 9), path: name)
        guard UInt64(frames) == header.frameCount else {
            throw fail("seek table lists \(frames) frames, the header says \(header.frameCount)")
        }
        let seekSize = UInt64(SeekTable.frameSize(frames: frames))
        guard seekSize + headerSize <= size else {
            throw fail("seek table of \(frames) frames (\(seekSize) bytes) does not fit in the file of \(size) bytes")
        }
        let seekOffset = size - seekSize
        seekTable = try SeekTable.decode(file.readBytes(at: seekOffset, count: Int(seekSize)), frames: frames,
                                         at: seekOffset, path: name)
        var offsets = [UInt64](); offsets.reserveCapacity(frames + 1)
        var at = headerSize, tokens: UInt64 = 0
        let width = UInt64(header.width.byteCount), frameBytes = UInt64(header.frameTokens) * width
        // Above ZSTD_compressBound (n + n/256 + ...) and LZ4F's bound (n + n/255 + ...): bounds pread buffers.
        let compressedLimit = frameBytes + frameBytes / 128 + 65_536
        for i in 0..<frames {
            offsets.append(at)
            let c = UInt64(seekTable.compressedSizes[i]), d = UInt64(seekTable.decompressedSizes[i])
            let here = "frame \(i) at byte \(at): "
            guard d <= frameBytes else {
                throw fail(here + "seek table declares \(d) decompressed bytes, more than a frame's \(frameBytes)")
            }
            guard d % width == 0 else {
                throw fail(here + "\(d) decompressed bytes is not a whole number of \(header.width) tokens")
            }
            guard d == frameBytes || i == frames - 1, d > 0 else {
                throw fail(here + "holds \(d) bytes, but every frame but the last holds \(frameBytes)")
            }
            guard c <= compressedLimit else {
                throw fail(here + "compressed size \(c) is larger than any frame of \(frameBytes) bytes can be")
            }
            at += c; tokens += d / width
        }
        offsets.append(at)
        frameOffsets = offsets
        // A garbage document-table length must give the size message, not an overflow trap.
        let tablesEnd = header.documentTableLength <= size ? at + header.documentTableLength : UInt64.max
        // Version 2 may hold a skipped-files frame between the document table and the seek table.
        let skippedBytes = header.formatVersion >= TokSkippedFrame.formatVersion && tablesEnd < seekOffset
            ? seekOffset - tablesEnd : 0
        let described = tablesEnd == .max ? .max : tablesEnd + skippedBytes + seekSize
        guard described == size else {
            throw fail("seek table describes \(described) bytes but the file has \(size)")
        }
        guard header.documentTableOffset == at else {
            throw fail("document table at byte \(header.documentTableOffset), but the frames end at byte \(at)")
        }
        guard tokens == header.totalTokens else {
            throw fail("frames hold \(tokens) tokens, the header says \(header.totalTokens)")
        }
        documents = try TokDocumentFrame.decode(file.readBytes(at: at, count: Int(header.documentTableLength)),
                                                at: at, totalTokens: tokens, path: name)
        skippedFiles = skippedBytes > 0
            ? try TokSkippedFrame.decode(file.readBytes(at: tablesEnd, count: Int(skippedBytes)), at: tablesEnd, path: name)
            : []
        var map: MappedFile? = nil
        if options.access == .automatic { map = try? MappedFile(file) }
        mapped = map
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
                       fileBytes: file.size, formatVersion: header.formatVersion, tokenizer: header.tokenizer,
                       isMapped: mapped != nil)
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
    /// The recorded tokenizer, if any.
    public let tokenizer: TokenizerIdentity?
    /// Whether reads go through a memory map (false: pread).
    public let isMapped: Bool
}
