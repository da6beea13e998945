/// Where an answer starts in its document as a person counts it: the line (1-based, in the
/// document's decoded text) and the column (1-based, in characters). The routing tier keeps
/// the line breaks before each window, so a location costs reading two windows (the
/// answer's and its document start's) however long the document.
final class LineLocator {
    /// How far back the column looks for the start of its line.
    static let columnReach = 4_096

    private let corpus: TokenSource
    private let starts: UnsafeBufferPointer<UInt64>
    private let windowTokens: Int
    private let breaks: [UInt8]
    private let tokenizer: Tokenizer
    private let cursor: TokenCursor

    /// Nil when the tier recorded no lines (built without a tokenizer).
    init?(corpus: TokenSource, tier: RoutingTier, tokenizer: Tokenizer) throws {
        guard let starts = tier.lineStarts else { return nil }
        self.corpus = corpus
        self.starts = starts
        windowTokens = tier.shape.windowTokens
        breaks = tokenizer.lineBreakCounts()
        self.tokenizer = tokenizer
        cursor = try corpus.makeCursor()
    }

    /// Line breaks before absolute position `x`.
    private func breaksBefore(_ x: UInt64) throws -> UInt64 {
        let w = Int(x / UInt64(windowTokens))
        guard w < starts.count else { return starts.last ?? 0 }
        var n = starts[w]
        let from = UInt64(w) * UInt64(windowTokens)
        if x > from {
            for t in try cursor.read(start: from, count: Int(x - from)) where Int(t) < breaks.count { n += UInt64(breaks[Int(t)]) }
        }
        return n
    }

    /// The line and column of `position` in the document that starts at `documentStart`;
    /// the column is nil when the line began more than `columnReach` tokens earlier.
    func location(of position: UInt64, documentStart: UInt64) throws -> (line: Int, column: Int?) {
        let line = Int(try breaksBefore(position) - breaksBefore(documentStart)) + 1
        let from = max(documentStart, position >= UInt64(Self.columnReach) ? position - UInt64(Self.columnReach) : 0)
        let tokens = Array(try cursor.read(start: from, count: Int(position - from)))
        var tail: [UInt8] = []
        var foundBreak = from == documentStart
        for id in tokens.reversed() {
            let bytes = (try? [id].withUnsafeBufferPointer { try tokenizer.decode($0) }) ?? []
            if let newline = bytes.lastIndex(of: 0x0A) {
                tail = Array(bytes[(newline + 1)...]) + tail
                foundBreak = true
                break
            }
            tail = bytes + tail
        }
        guard foundBreak else { return (line, nil) }
        return (line, String(decoding: tail, as: UTF8.self).count + 1)
    }
}
