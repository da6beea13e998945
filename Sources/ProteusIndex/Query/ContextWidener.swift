/// A span widened with its neighbours from the original corpus.
public struct SpanContext: Equatable {
    /// Absolute positions of the widened range, `end` exclusive.
    public var start: UInt64
    public var end: UInt64
    public var tokenIDs: [UInt32]
    public var text: String?
}

/// Reads the corpus around answers for `query --context N`. The corpus is the one given with
/// `--corpus`, or the paths recorded at build time; either way it is used only when its
/// fingerprint (size and content hash of every input) still matches the index, so a changed
/// corpus gives a warning and no context — never wrong text.
public final class ContextWidener {
    public let engine: QueryEngine
    public let tokens: Int
    /// Why no context could be added (missing or changed corpus); nil while all is well.
    public private(set) var warning: String?
    private var cursor: TokenCursor?
    private var total: UInt64 = 0

    public init(engine: QueryEngine, context tokens: Int, explicitCorpus: [String], options: InputOptions) {
        self.engine = engine
        self.tokens = tokens
        let recorded = engine.index.fingerprint.inputs
        let paths = explicitCorpus.isEmpty ? recorded.map(\.path) : explicitCorpus
        guard !paths.isEmpty, !paths.contains("-") else {
            warning = "the index was built from standard input; pass --corpus FILE to use --context"
            return
        }
        do {
            let opened = try InputOpener.open(paths, options: options)
            let now = opened.fingerprint.inputs
            guard now.count == recorded.count,
                  zip(now, recorded).allSatisfy({ $0.size == $1.size && $0.contentHash == $1.contentHash }) else {
                warning = "\(paths.joined(separator: " ")): does not match the corpus this index was built from (size or content changed); --context ignored"
                return
            }
            cursor = try opened.source.makeCursor()
            total = opened.source.tokenCount
        } catch let e as ProteusError {
            warning = "\(e); --context ignored"
        } catch {
            warning = "\(error); --context ignored"
        }
    }

    /// The widened context of each answer, or nils when the corpus is unavailable.
    public func widen(_ answers: [SpanAnswer]) throws -> [SpanContext?] {
        guard let cursor else { return answers.map { _ in nil } }
        return try answers.map { a in
            let start = a.start >= UInt64(tokens) ? a.start - UInt64(tokens) : 0
            let end = min(a.end + UInt64(tokens), total)
            let ids = Array(try cursor.read(start: start, count: Int(end - start)))
            var text: String?
            if let tokenizer = engine.tokenizer {
                text = String(decoding: try ids.withUnsafeBufferPointer { try tokenizer.decode($0) }, as: UTF8.self)
            }
            return SpanContext(start: start, end: end, tokenIDs: ids, text: text)
        }
    }
}
