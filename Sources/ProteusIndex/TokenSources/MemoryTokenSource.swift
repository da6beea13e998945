/// A token source over ids already in memory: for library users that tokenize on the fly,
/// and for tests that need exact control of the stream.
///
/// The tokens are copied once into storage that never moves, so cursors can hand out
/// pointers into it without copying again.
public final class MemoryTokenSource: TokenSource {
    public let name: String
    public let documents: DocumentTable
    public let tokenizer: TokenizerIdentity?
    public var tokenCount: UInt64 { UInt64(count) }
    public var storedWidth: TokenWidth { .u32 }
    public var formatName: String { "memory" }

    private let storage: UnsafeMutableBufferPointer<UInt32>
    private let count: Int

    /// A source over `tokens`; `documents` defaults to one document named `name` covering all
    /// of them. Throws a usage error when the document table does not cover exactly the tokens.
    public init(name: String = "memory", tokens: [UInt32], documents: DocumentTable? = nil,
                tokenizer: TokenizerIdentity? = nil) throws {
        let table = documents ?? DocumentTable(single: name, tokenCount: UInt64(tokens.count))
        guard table.tokenCount == UInt64(tokens.count) else {
            throw ProteusError(.usage, path: name,
                               "document table covers \(table.tokenCount) tokens but there are \(tokens.count)")
        }
        self.name = name
        self.documents = table
        self.tokenizer = tokenizer
        count = tokens.count
        storage = .allocate(capacity: max(1, tokens.count))  // a zero-capacity allocation cannot be freed
        _ = storage.initialize(from: tokens)
    }

    deinit { storage.deallocate() }

    public func makeCursor() throws -> TokenCursor { Cursor(self) }

    /// Cursors share the source's storage; reading is only slicing, so they are trivially
    /// independent.
    private final class Cursor: TokenCursor {
        let source: MemoryTokenSource
        init(_ source: MemoryTokenSource) { self.source = source }

        func read(start: UInt64, count: Int) throws -> UnsafeBufferPointer<UInt32> {
            let total = source.count
            let lo = Int(min(start, UInt64(total)))
            let hi = lo + min(max(count, 0), total - lo)
            return UnsafeBufferPointer(rebasing: source.storage[lo..<hi])
        }
    }
}
