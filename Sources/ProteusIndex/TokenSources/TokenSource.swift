/// Width of one stored token id.
public enum TokenWidth: Int, Sendable, CustomStringConvertible {
    case u16 = 2
    case u32 = 4

    public var byteCount: Int { rawValue }
    public var description: String { self == .u16 ? "u16" : "u32" }
}

/// Which tokenizer produced a token file: enough to refuse a different one.
public struct TokenizerIdentity: Equatable, Sendable {
    /// Short name such as "cl100k_base".
    public var name: String
    /// SHA-256 of the rank file the tokenizer was loaded from (32 bytes).
    public var sha256: [UInt8]
    /// Number of token ids (ranks plus special tokens): every id is below it.
    public var vocabularySize: UInt32

    public init(name: String, sha256: [UInt8], vocabularySize: UInt32) {
        self.name = name
        self.sha256 = sha256
        self.vocabularySize = vocabularySize
    }

    public var sha256Hex: String { sha256.map { String(format2: $0) }.joined() }
}

extension String {
    /// Two lowercase hex digits (Foundation-free).
    init(format2 byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self.init([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}

/// A file, stream or set of files whose tokens can be read by position.
///
/// Every format (`.tok` with each codec, raw u16/u32, llm.c shards, Megatron datasets,
/// spooled stdin, several inputs concatenated) implements this one protocol. Positions are
/// absolute token offsets in the source's concatenated stream.
public protocol TokenSource: AnyObject {
    /// What to call this source in messages: the path as the user gave it, or "-".
    var name: String { get }
    /// Total number of tokens.
    var tokenCount: UInt64 { get }
    /// Width the tokens are stored with.
    var storedWidth: TokenWidth { get }
    /// The documents, in stream order; a single unnamed-by-content document when the format has none.
    var documents: DocumentTable { get }
    /// The tokenizer recorded in the file, when the format records one.
    var tokenizer: TokenizerIdentity? { get }
    /// Human-readable format name for `inspect` ("tok/zstd", "raw-u16", "llm.c-v1", "megatron").
    var formatName: String { get }
    /// A new independent reader. Each thread uses its own cursor; cursors of one source may
    /// be used concurrently.
    func makeCursor() throws -> TokenCursor
}

/// Reads token ranges of one source. Not thread-safe: one cursor per thread.
public protocol TokenCursor: AnyObject {
    /// Returns the tokens of `start ..< start + count` (clamped to the end of the source).
    /// The buffer is owned by the cursor (or by the source's mapping) and stays valid until
    /// the next call on this cursor. Throws a `ProteusError` naming the file and the frame or
    /// byte offset when the data is corrupt.
    func read(start: UInt64, count: Int) throws -> UnsafeBufferPointer<UInt32>

    /// Tells the cursor that positions before `position` will not be read again, so the pages
    /// or buffers holding them may be released. Optional; the default does nothing.
    func release(before position: UInt64)
}

extension TokenCursor {
    public func release(before position: UInt64) {}
}

/// One chunk of a source: `tokens` start at absolute position `start`.
public struct TokenWindow {
    /// Index of this window (0, 1, 2, …) when reading in windows of a fixed length.
    public let index: Int
    /// Absolute position of `tokens[0]` in the source.
    public let start: UInt64
    /// The tokens; valid until the next window is read from the same cursor.
    public let tokens: UnsafeBufferPointer<UInt32>
    /// Document id of `tokens[0]`.
    public let firstDocument: Int
}

/// Reads a source window by window: the sequential face of `TokenSource`.
public final class ChunkReader: IteratorProtocol, Sequence {
    public let source: TokenSource
    public let chunkLength: Int
    private let cursor: TokenCursor
    private var nextIndex = 0
    public private(set) var error: Error?

    public init(_ source: TokenSource, chunkLength: Int = 65_536) throws {
        precondition(chunkLength > 0)
        self.source = source
        self.chunkLength = chunkLength
        self.cursor = try source.makeCursor()
    }

    /// Number of windows the source divides into.
    public var windowCount: Int {
        Int((source.tokenCount + UInt64(chunkLength) - 1) / UInt64(chunkLength))
    }

    /// The window at `index`, for random access (parallel readers use one `ChunkReader` each).
    public func window(at index: Int) throws -> TokenWindow {
        let start = UInt64(index) * UInt64(chunkLength)
        let tokens = try cursor.read(start: start, count: chunkLength)
        return TokenWindow(index: index, start: start, tokens: tokens,
                           firstDocument: source.documents.document(containing: start) ?? 0)
    }

    /// The next window, or nil at the end; throws on corrupt data.
    public func nextWindow() throws -> TokenWindow? {
        guard nextIndex < windowCount else { return nil }
        if nextIndex > 0 { cursor.release(before: UInt64(nextIndex) * UInt64(chunkLength)) }
        let w = try window(at: nextIndex)
        nextIndex += 1
        return w
    }

    /// Sequence conformance; stops at the first error, which is kept in `error`.
    public func next() -> TokenWindow? {
        do { return try nextWindow() } catch { self.error = error; return nil }
    }
}
