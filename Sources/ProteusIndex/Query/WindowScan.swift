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

    /// Read margins: one token past each reach, so a capped passage is seen to be capped.
    static let marginBefore = PassageScorer.reachBack + 1
    static let marginAfter = PassageScorer.reachForward + 2

    var windowCount: Int {
        Int((source.tokenCount + UInt64(windowTokens) - 1) / UInt64(windowTokens))
    }

    /// The absolute range of the document holding `position`.
    private func document(_ position: UInt64) -> Range<UInt64> {
        guard let d = documents.document(containing: position) else { return position..<(position + 1) }
        return documents.starts[d]..<(documents.starts[d] + documents.lengths[d])
    }

    /// Scans window `w`. The window itself is read first and the passages of its inner
    /// anchors scored from it; only an anchor within reach of an edge needs the tokens past
    /// it, read around that anchor alone (so a window rarely costs a neighbour's frame).
    func scan(window w: Int, cursor: TokenCursor, into answers: inout AnswerCollector) throws {
        let total = source.tokenCount
        let start = UInt64(w) * UInt64(windowTokens)
        let end = min(start + UInt64(windowTokens), total)
        let core = try read(cursor, start..<end)
        let anchors = scorer.anchorPositions(core, in: 0..<core.count)
        // Inner anchors: their reach stays inside the window (or meets the corpus's ends).
        let innerFrom = start == 0 ? 0 : Self.marginBefore
        let innerTo = end == total ? core.count : core.count - Self.marginAfter
        let inner = anchors.filter { $0 >= innerFrom && $0 < innerTo }
        if !inner.isEmpty {
            scorer.scan(core, base: start, anchors: inner, source: .corpus, document: document, into: &answers)
        }
        for a in anchors where a < innerFrom || a >= innerTo {
            let at = start + UInt64(a)
            let lo = at - min(at, UInt64(Self.marginBefore)), hi = min(total, at + UInt64(Self.marginAfter))
            let around = try read(cursor, lo..<hi)
            scorer.scan(around, base: lo, anchors: [Int(at - lo)], source: .corpus, document: document, into: &answers)
        }
    }

    private func read(_ cursor: TokenCursor, _ range: Range<UInt64>) throws -> UnsafeBufferPointer<UInt32> {
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
                        let cursor = try source.makeCursor()
                        var g = k
                        while g < groups {
                            if g >= workers {
                                cursor.release(before: UInt64((g - workers) * group) * UInt64(windowTokens))
                            }
                            for w in (g * group)..<min(count, (g + 1) * group) {
                                try scan(window: w, cursor: cursor, into: &c[k])
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
