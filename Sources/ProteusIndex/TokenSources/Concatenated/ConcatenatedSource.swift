/// Several sources read as one stream: source `k`'s tokens follow source `k - 1`'s, and its
/// documents follow in the document table.
///
/// A window inside one source is that source's own buffer (so a mapped u32 file stays
/// zero-copy); a window across a boundary is assembled in the cursor's buffer.
public final class ConcatenatedSource: TokenSource {
    public let name: String
    public let sources: [TokenSource]
    /// `starts[k]` is the stream position of source `k`'s first token; the extra last entry
    /// is the total.
    public let starts: [UInt64]
    public let documents: DocumentTable
    /// The widest of the parts.
    public let storedWidth: TokenWidth
    /// The parts' tokenizer when they all record the same one, else nil.
    public let tokenizer: TokenizerIdentity?
    public var formatName: String { "concatenated(\(sources.count))" }
    public var tokenCount: UInt64 { starts[starts.count - 1] }

    /// Joins `sources` in the given order. `name` is what messages call the whole.
    public init(_ sources: [TokenSource], name: String) {
        self.name = name
        self.sources = sources
        var starts: [UInt64] = [], total: UInt64 = 0
        var table = DocumentTable()
        for s in sources {
            starts.append(total)
            total += s.tokenCount
            table.append(contentsOf: s.documents)
        }
        starts.append(total)
        self.starts = starts
        self.documents = table
        self.storedWidth = sources.contains { $0.storedWidth == .u32 } ? .u32 : .u16
        let first = sources.first?.tokenizer
        self.tokenizer = sources.allSatisfy { $0.tokenizer == first } ? first : nil
    }

    public func makeCursor() throws -> TokenCursor {
        ConcatenatedCursor(self, parts: try sources.map { try $0.makeCursor() })
    }

    /// Index of the source holding position `position` (< tokenCount); empty sources are skipped.
    func source(containing position: UInt64) -> Int {
        lastStart(atOrBefore: position, in: starts, count: sources.count)
    }
}

extension TokenSource {
    /// Stream position of each input file's first token: the parts of a concatenation (one
    /// per input file), else the one input at 0. What `--shard` splits a corpus of files on.
    var fileStarts: [UInt64] { (self as? ConcatenatedSource).map { Array($0.starts.dropLast()) } ?? [0] }
}

/// One cursor per part plus a buffer for windows that straddle parts.
final class ConcatenatedCursor: TokenCursor {
    private let source: ConcatenatedSource
    private let parts: [TokenCursor]
    private var buffer: UnsafeMutablePointer<UInt32> = .allocate(capacity: 0)
    private var capacity = 0
    private var releasedBefore: UInt64 = 0

    init(_ source: ConcatenatedSource, parts: [TokenCursor]) {
        self.source = source
        self.parts = parts
    }

    deinit { buffer.deallocate() }

    func read(start: UInt64, count: Int) throws -> UnsafeBufferPointer<UInt32> {
        let total = source.tokenCount
        guard start < total, count > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
        let n = Int(min(UInt64(count), total - start))
        var k = source.source(containing: start)
        let end = start + UInt64(n)
        if end <= source.starts[k + 1] {
            return try parts[k].read(start: start - source.starts[k], count: n)
        }
        if n > capacity {
            buffer.deallocate()
            buffer = .allocate(capacity: n)
            capacity = n
        }
        var filled = 0
        var position = start
        while filled < n {
            let local = position - source.starts[k]
            let take = Int(min(UInt64(n - filled), source.starts[k + 1] - position))
            if take > 0 {
                let piece = try parts[k].read(start: local, count: take)
                guard piece.count == take else {
                    throw ProteusError.corrupt(source.sources[k].name,
                                               "returned \(piece.count) tokens at position \(local), expected \(take)")
                }
                (buffer + filled).update(from: piece.baseAddress!, count: take)
                filled += take
                position += UInt64(take)
            }
            k += 1
        }
        return UnsafeBufferPointer(start: buffer, count: n)
    }

    func release(before position: UInt64) {
        guard position > releasedBefore, source.tokenCount > 0 else { return }
        var k = source.source(containing: min(releasedBefore, source.tokenCount - 1))
        while k < parts.count, source.starts[k] < position {
            parts[k].release(before: min(position, source.starts[k + 1]) - source.starts[k])
            k += 1
        }
        releasedBefore = position
    }
}
