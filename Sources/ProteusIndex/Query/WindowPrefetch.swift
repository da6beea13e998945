import Foundation

/// Reads routed windows ahead of the exact pass, on worker threads, so that decompressing
/// the next windows (most of a routed query's time with a zstd `.tok`) overlaps scoring the
/// current one. The windows are handed out strictly in reading order and the pass decides
/// when to stop exactly as it would reading them itself, so the answers and the windows read
/// do not depend on the number of workers; a stop only wastes the windows decoded ahead.
///
/// The asking thread decodes too: it reads the window it needs when no worker has taken it,
/// and a window further ahead while a worker reads the one it needs. So `threads` threads
/// decode with `threads - 1` workers; with one worker per thread on top of the asking one,
/// 2 cores were no faster than 1 (the asker mostly waited, the kernel juggled 3 threads).
final class WindowPrefetch: @unchecked Sendable {
    /// One reader and cursor per thread, the asking thread's first (each reader has its own
    /// token-shape cache).
    private let readers: [WindowScan]
    private let cursors: [TokenCursor]
    private let windows: [Int]
    private let room: Room
    private var depth: Int { room.depth }

    /// Where windows are read ahead: `depth` slots, each a window with the read margins on
    /// both sides for the tokens its edge anchors reach, and the workers' cursors. Kept from
    /// question to question: making them for each one cost a routed question page faults
    /// and decoder set-up.
    final class Room {
        let depth: Int
        let slotTokens: Int
        let slots: UnsafeMutablePointer<UInt32>
        let cursors: [TokenCursor]

        init(source: TokenSource, windowTokens: Int, reach: Int, workers: Int, depth: Int) throws {
            self.depth = max(1, depth)
            slotTokens = Self.slotTokens(windowTokens: windowTokens, reach: reach)
            cursors = try (0..<max(1, workers)).map { _ in try source.makeCursor() }
            slots = .allocate(capacity: self.depth * slotTokens)
        }

        deinit { slots.deallocate() }

        static func slotTokens(windowTokens: Int, reach: Int) -> Int {
            WindowScan.marginBefore(reach: reach) + windowTokens + WindowScan.marginAfter(reach: reach)
        }

        /// Whether it is the room `init` would make for these.
        func fits(windowTokens: Int, reach: Int, workers: Int, depth: Int) -> Bool {
            slotTokens == Self.slotTokens(windowTokens: windowTokens, reach: reach) && cursors.count == max(1, workers)
                && self.depth == max(1, depth)
        }

        func slot(_ index: Int) -> UnsafeMutablePointer<UInt32> { slots + (index % depth) * slotTokens }
    }

    /// A window read ahead: its tokens with what its edge anchors reach past its edges
    /// (`tokens` starts at absolute position `first`), and where the question's terms and
    /// anchors stand in its own tokens (`core`).
    struct Prepared {
        var tokens: UnsafeBufferPointer<UInt32>
        var first: UInt64
        var core: UnsafeBufferPointer<UInt32>
        var terms: PassageScorer.TermPositions

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
    /// Windows handed out and released by the pass, and windows claimed by the threads.
    private var released = 0
    private var claimed = 0
    private var stopped = false
    private let condition = NSCondition()
    private let running = DispatchGroup()

    /// Starts a worker per cursor of `room`, reading `windows` (window numbers, in reading
    /// order) into its slots; the asking thread reads with `reader` and `cursor`. One
    /// `room` serves one prefetch at a time.
    init(reader: WindowScan, cursor: TokenCursor, windows: [Int], room: Room) {
        readers = [reader] + room.cursors.map { _ in reader.forAnotherThread() }
        cursors = [cursor] + room.cursors
        self.windows = windows
        self.room = room
        held = [Int](repeating: -1, count: room.depth)
        prepared = [Prepared?](repeating: nil, count: room.depth)
        errors = [Error?](repeating: nil, count: room.depth)
        for k in 1..<readers.count {
            DispatchQueue.global().async(group: running) { self.work(reader: self.readers[k], cursor: self.cursors[k]) }
        }
    }

    deinit { finish() }

    /// `windows[index]` read, valid until `release(index)`. Indexes are taken in order, each
    /// released before the next is taken.
    func window(_ index: Int) throws -> Prepared {
        let slot = index % depth
        condition.lock()
        while held[slot] != index {
            if claimed == index {
                // No worker has taken it: reading it here beats waiting for one to.
                claimed += 1
                condition.unlock()
                return try read(windows[index], reader: readers[0], cursor: cursors[0], into: room.slot(index))
            }
            if !take(reader: readers[0], cursor: cursors[0]) { condition.wait() }
        }
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
        condition.lock()
        while !stopped && claimed < windows.count {
            if !take(reader: reader, cursor: cursor) { condition.wait() }
        }
        condition.unlock()
    }

    /// With `condition` locked: reads the next unclaimed window into its slot (unlocking
    /// while it reads), or returns false when every slot is taken or no window is left.
    private func take(reader: WindowScan, cursor: TokenCursor) -> Bool {
        guard !stopped && claimed < windows.count && claimed < released + depth else { return false }
        let index = claimed
        claimed += 1
        condition.unlock()
        var window: Prepared?
        var failure: Error?
        do {
            window = try read(windows[index], reader: reader, cursor: cursor, into: room.slot(index))
        } catch {
            failure = error
        }
        condition.lock()
        let slot = index % depth
        held[slot] = index
        prepared[slot] = window
        errors[slot] = failure
        condition.broadcast()
        return true
    }

    /// Reads window `w` into `slot`, finds its terms and anchors, and adds the tokens its edge anchors
    /// reach (so the pass never reads a neighbour's frame itself).
    private func read(_ w: Int, reader: WindowScan, cursor: TokenCursor, into slot: UnsafeMutablePointer<UInt32>) throws -> Prepared {
        let start = UInt64(w) * UInt64(reader.windowTokens)
        let core = slot + reader.marginBefore
        let read = try reader.read(window: w, cursor: cursor)
        if let from = read.baseAddress { core.update(from: from, count: read.count) }
        let n = read.count, end = start + UInt64(n)
        let terms = reader.scorer.termPositions(UnsafeBufferPointer(start: core, count: n))
        let edges = reader.edgeReach(start: start, count: n, anchors: terms.anchors)
        if edges.before > 0 {
            let before = try reader.read(cursor, (start - UInt64(edges.before))..<start)
            (core - edges.before).update(from: before.baseAddress!, count: edges.before)
        }
        if edges.after > 0 {
            let after = try reader.read(cursor, end..<(end + UInt64(edges.after)))
            (core + n).update(from: after.baseAddress!, count: edges.after)
        }
        return Prepared(tokens: UnsafeBufferPointer(start: core - edges.before, count: edges.before + n + edges.after),
                        first: start - UInt64(edges.before), core: UnsafeBufferPointer(start: core, count: n), terms: terms)
    }
}
