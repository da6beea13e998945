import Foundation

/// Reads routed windows ahead of the exact pass, on worker threads, so that decompressing
/// the next windows (most of a routed query's time with a zstd `.tok`) overlaps scoring the
/// current one. The windows are handed out strictly in reading order and the pass decides
/// when to stop exactly as it would reading them itself, so the answers and the windows read
/// do not depend on the number of workers; a stop only wastes the windows decoded ahead.
final class WindowPrefetch: @unchecked Sendable {
    /// One reader per worker (each has its own token-shape cache).
    private let readers: [WindowScan]
    private let windows: [Int]
    /// Windows read ahead at most (one slot each), and a slot's room: a window with the
    /// read margins on both sides, for the tokens its edge anchors reach.
    private let depth: Int
    private let slotTokens: Int
    private let cursors: [TokenCursor]
    private let slots: UnsafeMutablePointer<UInt32>

    /// A window read ahead: its tokens with what its edge anchors reach past its edges
    /// (`tokens` starts at absolute position `first`), and its anchors.
    struct Prepared {
        var tokens: UnsafeBufferPointer<UInt32>
        var first: UInt64
        var core: UnsafeBufferPointer<UInt32>
        var anchors: [Int]

        /// The tokens of an absolute range inside `tokens`.
        func tokens(_ range: Range<UInt64>) -> UnsafeBufferPointer<UInt32> {
            UnsafeBufferPointer(rebasing: tokens[Int(range.lowerBound - first)..<Int(range.upperBound - first)])
        }
    }

    /// What each slot holds, guarded by `condition`: the index into `windows` (-1: nothing
    /// yet), and the window read or the error of reading it.
    private var held: [Int]
    private var prepared: [Prepared?]
    private var errors: [Error?]
    /// Windows handed out and released by the pass, and windows claimed by the workers.
    private var released = 0
    private var claimed = 0
    private var stopped = false
    private let condition = NSCondition()
    private let running = DispatchGroup()

    /// Starts `workers` threads reading `windows` (window numbers, in reading order).
    init(reader: WindowScan, windows: [Int], workers: Int, depth: Int) throws {
        readers = (0..<max(1, workers)).map { _ in reader.forAnotherThread() }
        self.windows = windows
        self.depth = max(1, depth)
        slotTokens = WindowScan.marginBefore + reader.windowTokens + WindowScan.marginAfter
        cursors = try (0..<max(1, workers)).map { _ in try reader.source.makeCursor() }
        slots = .allocate(capacity: self.depth * slotTokens)
        held = [Int](repeating: -1, count: self.depth)
        prepared = [Prepared?](repeating: nil, count: self.depth)
        errors = [Error?](repeating: nil, count: self.depth)
        for k in 0..<cursors.count {
            DispatchQueue.global().async(group: running) { self.work(reader: self.readers[k], cursor: self.cursors[k]) }
        }
    }

    deinit {
        finish()
        slots.deallocate()
    }

    /// `windows[index]` read, valid until `release(index)`. Indexes are taken in order, each
    /// released before the next is taken.
    func window(_ index: Int) throws -> Prepared {
        let slot = index % depth
        condition.lock()
        while held[slot] != index { condition.wait() }
        let window = prepared[slot], error = errors[slot]
        condition.unlock()
        if let error { throw error }
        return window!
    }

    /// Frees the slot of `windows[index]` for a window further ahead.
    func release(_ index: Int) {
        condition.lock()
        released = index + 1
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the workers and waits for the windows they are reading (at most one each).
    func finish() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
        running.wait()
    }

    private func work(reader: WindowScan, cursor: TokenCursor) {
        while true {
            condition.lock()
            while !stopped && claimed < windows.count && claimed >= released + depth { condition.wait() }
            if stopped || claimed == windows.count {
                condition.unlock()
                return
            }
            let index = claimed
            claimed += 1
            condition.unlock()

            let slot = index % depth
            var window: Prepared?
            var failure: Error?
            do {
                window = try read(windows[index], reader: reader, cursor: cursor, into: slots + slot * slotTokens)
            } catch {
                failure = error
            }
            condition.lock()
            held[slot] = index
            prepared[slot] = window
            errors[slot] = failure
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Reads window `w` into `slot`, finds its anchors, and adds the tokens its edge anchors
    /// reach (so the pass never reads a neighbour's frame itself).
    private func read(_ w: Int, reader: WindowScan, cursor: TokenCursor, into slot: UnsafeMutablePointer<UInt32>) throws -> Prepared {
        let start = UInt64(w) * UInt64(reader.windowTokens)
        let core = slot + WindowScan.marginBefore
        let read = try reader.read(window: w, cursor: cursor)
        if let from = read.baseAddress { core.update(from: from, count: read.count) }
        let n = read.count, end = start + UInt64(n)
        let anchors = reader.scorer.anchorPositions(UnsafeBufferPointer(start: core, count: n), in: 0..<n)
        let edges = reader.edgeReach(start: start, count: n, anchors: anchors)
        if edges.before > 0 {
            let before = try reader.read(cursor, (start - UInt64(edges.before))..<start)
            (core - edges.before).update(from: before.baseAddress!, count: edges.before)
        }
        if edges.after > 0 {
            let after = try reader.read(cursor, end..<(end + UInt64(edges.after)))
            (core + n).update(from: after.baseAddress!, count: edges.after)
        }
        return Prepared(tokens: UnsafeBufferPointer(start: core - edges.before, count: edges.before + n + edges.after),
                        first: start - UInt64(edges.before), core: UnsafeBufferPointer(start: core, count: n), anchors: anchors)
    }
}
