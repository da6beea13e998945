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
