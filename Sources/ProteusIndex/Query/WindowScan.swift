import Dispatch

/// Reads corpus windows and runs the exact pass over them. A window is read with a margin
/// on each side so that a passage anchored near its edge is cut where the text says, not
/// where the window ends; anchors are only taken inside the window, so each passage is
/// found from exactly one window.
struct WindowScan {
    let source: TokenSource
    let scorer: PassageScorer
    let windowTokens: Int
    let documents: IndexDocuments

    /// The same reader for another thread (its own token-shape cache).
    func forAnotherThread() -> WindowScan {
        WindowScan(source: source, scorer: scorer.forAnotherThread(), windowTokens: windowTokens, documents: documents)
    }

    /// Read margins: one token past each reach, so a capped passage is seen to be capped.
    var marginBefore: Int { Self.marginBefore(reach: scorer.reach) }
    var marginAfter: Int { Self.marginAfter(reach: scorer.reach) }
    static func marginBefore(reach: Int) -> Int { reach + 1 }
    static func marginAfter(reach: Int) -> Int { reach + 2 }

    var windowCount: Int {
        Int((source.tokenCount + UInt64(windowTokens) - 1) / UInt64(windowTokens))
    }

    /// The absolute range of the document holding `position`, and its number.
    private func document(_ position: UInt64) -> (range: Range<UInt64>, id: Int?) {
        guard let d = documents.document(containing: position) else { return (position..<(position + 1), nil) }
        return (documents.starts[d]..<(documents.starts[d] + documents.lengths[d]), d)
    }

    /// Scans window `w`. The window itself is read first and the passages of its inner
    /// anchors scored from it; only an anchor within reach of an edge needs the tokens past
    /// it, read around that anchor alone (so a window rarely costs a neighbour's frame).
    func scan(window w: Int, cursor: TokenCursor, into answers: inout AnswerCollector) throws {
        let core = try read(window: w, cursor: cursor)
        try scan(window: w, core: core, terms: scorer.termPositions(core), into: &answers) { try read(cursor, $0) }
    }

    /// The tokens of window `w`, from `cursor` (valid until its next read).
    func read(window w: Int, cursor: TokenCursor) throws -> UnsafeBufferPointer<UInt32> {
        let start = UInt64(w) * UInt64(windowTokens)
        return try read(cursor, start..<min(start + UInt64(windowTokens), source.tokenCount))
    }

    /// Scans window `w` given its tokens `core` and where the question's terms stand in them.
    /// `around` gives the tokens of an absolute range reaching past the window's edges (once
    /// it is called, `core` is not used again: it may be the same cursor's buffer).
    func scan(window w: Int, core: UnsafeBufferPointer<UInt32>, terms: PassageScorer.TermPositions, into answers: inout AnswerCollector,
              around: (Range<UInt64>) throws -> UnsafeBufferPointer<UInt32>) throws {
        let start = UInt64(w) * UInt64(windowTokens)
        let (innerFrom, innerTo) = innerAnchors(start: start, count: core.count)
        let inner = terms.anchors.filter { $0 >= innerFrom && $0 < innerTo }
        if !inner.isEmpty {
            scorer.scan(core, base: start, anchors: inner, terms: terms.terms, source: .corpus, document: document, into: &answers)
        }
        for a in terms.anchors where a < innerFrom || a >= innerTo {
            let at = start + UInt64(a)
            let range = reach(of: at)
            scorer.scan(try around(range), base: range.lowerBound, anchors: [Int(at - range.lowerBound)], source: .corpus,
                        document: document, into: &answers)
        }
    }

    /// Offsets of the anchors whose reach stays inside a window of `count` tokens from
    /// `start` (or meets the corpus's ends).
    private func innerAnchors(start: UInt64, count: Int) -> (from: Int, to: Int) {
        let end = start + UInt64(count)
        return (start == 0 ? 0 : marginBefore, end == source.tokenCount ? count : count - marginAfter)
    }

    /// The tokens an anchor at absolute position `at` reaches, with the read margins.
    private func reach(of at: UInt64) -> Range<UInt64> {
        (at - min(at, UInt64(marginBefore)))..<min(source.tokenCount, at + UInt64(marginAfter))
    }

    /// What the edge anchors of a window of `count` tokens from `start` reach past its
    /// edges: tokens before it and after it (0 when no anchor is near that edge).
    func edgeReach(start: UInt64, count: Int, anchors: [Int]) -> (before: Int, after: Int) {
        let (innerFrom, innerTo) = innerAnchors(start: start, count: count)
        let end = start + UInt64(count)
        var before = 0, after = 0
        for a in anchors where a < innerFrom || a >= innerTo {
            let r = reach(of: start + UInt64(a))
            if r.lowerBound < start { before = max(before, Int(start - r.lowerBound)) }
            if r.upperBound > end { after = max(after, Int(r.upperBound - end)) }
        }
        return (before, after)
    }

    func read(_ cursor: TokenCursor, _ range: Range<UInt64>) throws -> UnsafeBufferPointer<UInt32> {
        let buffer = try cursor.read(start: range.lowerBound, count: Int(range.count))
        guard buffer.count == range.count else {
            throw ProteusError(.dataError, path: source.name,
                               "holds \(UInt64(buffer.count) + range.lowerBound) tokens where the index expects \(source.tokenCount)")
        }
        return buffer
    }

    /// Every window, on `threads` threads (each with its own cursor and collector, merged
    /// at the end: the answers do not depend on the thread count). Threads take turns over
    /// groups of windows that fill a 64K-token frame, so no frame is decoded twice, and hand
    /// back the pages of groups behind every thread. Returns the windows read.
    func scanAll(threads: Int, top: Int, into answers: inout AnswerCollector) throws -> Int {
        let count = windowCount
        let group = max(1, (1 << 16) / windowTokens)
        let groups = (count + group - 1) / group
        let workers = max(1, min(threads, groups))
        var collectors = [AnswerCollector](repeating: AnswerCollector(top: top, floor: answers.floor), count: workers)
        var errors = [Error?](repeating: nil, count: workers)
        collectors.withUnsafeMutableBufferPointer { c in
            errors.withUnsafeMutableBufferPointer { e in
                DispatchQueue.concurrentPerform(iterations: workers) { k in
                    do {
                        let reader = self.forAnotherThread()
                        let cursor = try source.makeCursor()
                        var g = k
                        while g < groups {
                            if g >= workers {
                                cursor.release(before: UInt64((g - workers) * group) * UInt64(windowTokens))
                            }
                            for w in (g * group)..<min(count, (g + 1) * group) {
                                try reader.scan(window: w, cursor: cursor, into: &c[k])
                            }
                            g += workers
                        }
                    } catch {
                        e[k] = error
                    }
                }
            }
        }
        if let error = errors.compactMap({ $0 }).first { throw error }
        for c in collectors { for p in c.kept { answers.offer(p) } }
        return count
    }
}
