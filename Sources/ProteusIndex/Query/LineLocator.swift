import Foundation

/// Where an answer starts in its document as a person counts it: the line (1-based, in the
/// document's decoded text) and the column (1-based, in characters). The routing tier keeps
/// the line breaks before each window, so a location costs reading the answer's window (and
/// its document start's, when the document starts inside a window) however long the
/// document. Answers are located in parallel, one cursor per thread: each reads a frame,
/// and a routed question's answers sit in different windows.
final class LineLocator {
    /// How far back the column looks for the start of its line.
    static let columnReach = 4_096

    private let corpus: TokenSource
    private let starts: UnsafeBufferPointer<UInt64>
    private let windowTokens: Int
    private let breaks: [UInt8]
    private let tokenizer: Tokenizer
    /// One per thread that locates, made on first use.
    private var cursors: [TokenCursor] = []

    /// Nil when the tier recorded no lines (built without a tokenizer).
    init?(corpus: TokenSource, tier: RoutingTier, tokenizer: Tokenizer) throws {
        guard let starts = tier.lineStarts else { return nil }
        self.corpus = corpus
        self.starts = starts
        windowTokens = tier.shape.windowTokens
        breaks = tokenizer.lineBreakCounts()
        self.tokenizer = tokenizer
        cursors = [try corpus.makeCursor()]
    }

    /// The locations of `answers` (each a position and the start of its document), on up to
    /// `threads` threads; the first error of any, if one fails.
    func locations(of answers: [(position: UInt64, documentStart: UInt64)], threads: Int = 1) throws -> [(line: Int, column: Int?)] {
        let lanes = max(1, min(threads, answers.count))
        while cursors.count < lanes { cursors.append(try corpus.makeCursor()) }
        guard lanes > 1 else { return try answers.map { try location(of: $0.position, documentStart: $0.documentStart, cursor: cursors[0]) } }
        let found = UnsafeMutableBufferPointer<Result<(line: Int, column: Int?), Error>>.allocate(capacity: answers.count)
        defer { found.deallocate() }
        let laneCursors = cursors
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            for k in stride(from: lane, to: answers.count, by: lanes) {
                (found.baseAddress! + k).initialize(to: Result {
                    try location(of: answers[k].position, documentStart: answers[k].documentStart, cursor: laneCursors[lane])
                })
            }
        }
        defer { found.baseAddress!.deinitialize(count: answers.count) }
        return try found.map { try $0.get() }
    }

    /// Line breaks before absolute position `x`, and the tokens of its window before it
    /// (valid until the cursor's next read).
    private func breaksBefore(_ x: UInt64, cursor: TokenCursor) throws -> (count: UInt64, window: UnsafeBufferPointer<UInt32>) {
        let w = Int(x / UInt64(windowTokens))
        guard w < starts.count else { return (starts.last ?? 0, UnsafeBufferPointer(start: nil, count: 0)) }
        var n = starts[w]
        let from = UInt64(w) * UInt64(windowTokens)
        guard x > from else { return (n, UnsafeBufferPointer(start: nil, count: 0)) }
        let tokens = try cursor.read(start: from, count: Int(x - from))
        for t in tokens where Int(t) < breaks.count { n += UInt64(breaks[Int(t)]) }
        return (n, tokens)
    }

    /// The line and column of `position` in the document that starts at `documentStart`;
    /// the column is nil when the line began more than `columnReach` tokens earlier.
    func location(of position: UInt64, documentStart: UInt64) throws -> (line: Int, column: Int?) {
        try location(of: position, documentStart: documentStart, cursor: cursors[0])
    }

    private func location(of position: UInt64, documentStart: UInt64, cursor: TokenCursor) throws -> (line: Int, column: Int?) {
        let atStart = try breaksBefore(documentStart, cursor: cursor).count
        let (atPosition, window) = try breaksBefore(position, cursor: cursor)
        let line = Int(atPosition - atStart) + 1
        let from = max(documentStart, position >= UInt64(Self.columnReach) ? position - UInt64(Self.columnReach) : 0)
        // The line's start: the last token holding a line break, looked for first among the
        // window's tokens just read, then (only if none) further back, up to the reach.
        var tail: [UInt32] = []
        var foundBreak = from == documentStart
        let windowStart = position - UInt64(window.count)
        // A copy: the window's buffer is the cursor's, gone at its next read.
        let near = Array(window[Int(max(from, windowStart) - windowStart)...])
        if let k = near.lastIndex(where: { Int($0) < breaks.count && breaks[Int($0)] > 0 }) {
            tail = Array(near[k...])
            foundBreak = true
        } else if from < windowStart {
            let earlier = try cursor.read(start: from, count: Int(windowStart - from))
            if let k = earlier.lastIndex(where: { Int($0) < breaks.count && breaks[Int($0)] > 0 }) {
                tail = Array(earlier[k...])
                foundBreak = true
            } else {
                tail = Array(earlier)
            }
            tail += near
        } else {
            tail = Array(near)
        }
        guard foundBreak else { return (line, nil) }
        var bytes: [UInt8] = []
        for id in tail { bytes += (try? [id].withUnsafeBufferPointer { try tokenizer.decode($0) }) ?? [] }
        if let newline = bytes.lastIndex(of: 0x0A) { bytes.removeSubrange(...newline) }
        return (line, String(decoding: bytes, as: UTF8.self).count + 1)
    }
}
