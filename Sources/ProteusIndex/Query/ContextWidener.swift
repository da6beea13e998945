/// A span widened with its neighbours from the original corpus.
public struct SpanContext: Equatable {
    /// Absolute positions of the widened range, `end` exclusive.
    public var start: UInt64
    public var end: UInt64
    public var tokenIDs: [UInt32]
    public var text: String?
}

/// Reads the corpus around answers for `query --context N`, from a corpus `CorpusLocator`
/// has verified (so a changed corpus gives a warning and no context, never wrong text).
public final class ContextWidener {
    public let tokenizer: Tokenizer?
    public let tokens: Int
    private let cursor: TokenCursor
    private let total: UInt64

    public init(corpus: TokenSource, tokenizer: Tokenizer?, context tokens: Int) throws {
        self.tokenizer = tokenizer
        self.tokens = tokens
        cursor = try corpus.makeCursor()
        total = corpus.tokenCount
    }

    /// The widened context of each answer.
    public func widen(_ answers: [SpanAnswer]) throws -> [SpanContext?] {
        try answers.map { a in
            let start = a.start >= UInt64(tokens) ? a.start - UInt64(tokens) : 0
            let end = min(a.end + UInt64(tokens), total)
            let ids = Array(try cursor.read(start: start, count: Int(end - start)))
            var text: String?
            if let tokenizer {
                text = String(decoding: try ids.withUnsafeBufferPointer { try tokenizer.decode($0) }, as: UTF8.self)
            }
            return SpanContext(start: start, end: end, tokenIDs: ids, text: text)
        }
    }
}
