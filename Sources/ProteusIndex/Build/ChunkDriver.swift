#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// Reads and scores every chunk, handing the results to `consume` in chunk order.
///
/// With one thread everything runs on the caller. With more, `threads - 1` workers plus the
/// caller each own a cursor and a scorer and take the next chunk index; at most
/// `2 * threads` chunks are in flight (one result slot each), so memory stays bounded
/// whatever the input size. The caller consumes slot `k % slots` when chunk k is ready, and
/// scores the next unclaimed chunk itself instead of waiting, so the sequential stage does
/// not need a core of its own.
struct ChunkDriver {
    let source: TokenSource
    let chunkLength: Int
    /// The chunks to score (all of them, or a shard's range).
    let chunks: Range<Int>
    let candidateLimit: Int
    let championLimit: Int
    let bonusMargin: Float
    let tables: ScoreTables
    /// Each worker's champion picker (the frozen DNA's gates): champions are chosen in parallel.
    let makePicker: () -> ChampionPicker
    /// Tokens per routing window (0: no routing tier).
    var routeWindow = 0
    /// Line breaks per id, to count each routing window's lines (nil: not counted).
    var lineBreaks: [UInt8]?
    /// Join flags per id, for each routing window's joined-pair filter (nil: no filters).
    var pairFlags: [UInt8]?
    /// When set, every window is checked to hold only ids below it (the tokenizer's
    /// vocabulary): a vectorised max over data already in cache, so the check is nearly free.
    var vocabularyLimit: UInt32? = nil

    private func read(_ cursor: TokenCursor, _ start: UInt64) throws -> UnsafeBufferPointer<UInt32> {
        let window = try cursor.read(start: start, count: chunkLength)
        if let limit = vocabularyLimit {
            try TokenValidation.check(window, start: start, vocabularySize: limit, source: source.name)
        }
        return window
    }

    /// Scores chunk `k` alone on the calling thread (a shard's neighbours at its edges).
    func scoreAlone(_ k: Int) throws -> ChunkResult {
        let cursor = try source.makeCursor()
        let result = ChunkResult(chunkLength: chunkLength, candidateLimit: candidateLimit)
        let start = UInt64(k) * UInt64(chunkLength)
        makeScorer().score(try read(cursor, start), index: k, start: start, into: result)
        return result
    }

    private func makeScorer() -> ChunkScorer {
        ChunkScorer(tables: tables, candidateLimit: candidateLimit, championLimit: championLimit,
                    bonusMargin: bonusMargin, routeWindow: routeWindow, lineBreaks: lineBreaks, pairFlags: pairFlags)
    }

    func run(threads: Int, consume: (ChunkResult) throws -> Void) throws {
        if threads == 1 || chunks.count <= 1 {
            let cursor = try source.makeCursor()
            let scorer = makeScorer()
            let picker = makePicker()
            let result = ChunkResult(chunkLength: chunkLength, candidateLimit: candidateLimit)
            for k in chunks {
                let start = UInt64(k) * UInt64(chunkLength)
                if k > chunks.lowerBound { cursor.release(before: start) }
                let window = try read(cursor, start)
                scorer.score(window, index: k, start: start, into: result)
                result.pickChampions(with: picker)
                try consume(result)
            }
            return
        }
        try runParallel(threads: threads, consume: consume)
    }

    private final class State {
        var nextChunk = 0
        var consumed = 0
        var ready: [Bool]
        var error: Error?
        var cancelled = false
        init(slots: Int, first: Int) {
            ready = [Bool](repeating: false, count: slots)
            nextChunk = first
            consumed = first
        }
    }

    private func runParallel(threads: Int, consume: (ChunkResult) throws -> Void) throws {
        let slots = 2 * threads
        let results = (0..<slots).map { _ in ChunkResult(chunkLength: chunkLength, candidateLimit: candidateLimit) }
        let monitor = Monitor()
        let state = State(slots: slots, first: chunks.lowerBound)
        let group = DispatchGroup()
        for _ in 0..<(threads - 1) {
            DispatchQueue.global().async(group: group) { [self] in
                self.work(results: results, monitor: monitor, state: state)
            }
        }
        defer {
            monitor.locked { state.cancelled = true; monitor.broadcast() }
            group.wait()
        }
        let scorer = makeScorer()
        let picker = makePicker()
        let cursor = try source.makeCursor()
        for k in chunks {
            while true {
                // Ready: consume it. Otherwise help: score the next unclaimed chunk. Else wait.
                let claimed: Int? = try monitor.locked {
                    while true {
                        if let error = state.error { throw error }
                        if state.ready[k % slots] { return nil }
                        if state.nextChunk < chunks.upperBound && state.nextChunk < state.consumed + slots {
                            state.nextChunk += 1
                            return state.nextChunk - 1
                        }
                        monitor.wait()
                    }
                }
                guard let j = claimed else { break }
                let start = UInt64(j) * UInt64(chunkLength)
                cursor.release(before: start)
                do {
                    let window = try read(cursor, start)
                    scorer.score(window, index: j, start: start, into: results[j % slots])
                    results[j % slots].pickChampions(with: picker)
                } catch {
                    monitor.locked { if state.error == nil { state.error = error }; monitor.broadcast() }
                    throw error
                }
                monitor.locked { state.ready[j % slots] = true; monitor.broadcast() }
            }
            try consume(results[k % slots])
            monitor.locked {
                state.ready[k % slots] = false
                state.consumed = k + 1
                monitor.broadcast()
            }
        }
    }

    private func work(results: [ChunkResult], monitor: Monitor, state: State) {
        let slots = results.count
        let scorer = makeScorer()
        let picker = makePicker()
        let cursor: TokenCursor
        do { cursor = try source.makeCursor() } catch {
            monitor.locked { if state.error == nil { state.error = error }; monitor.broadcast() }
            return
        }
        while true {
            let k: Int? = monitor.locked {
                while !state.cancelled && state.nextChunk < chunks.upperBound
                        && state.nextChunk >= state.consumed + slots { monitor.wait() }
                guard !state.cancelled && state.error == nil && state.nextChunk < chunks.upperBound else { return nil }
                state.nextChunk += 1
                return state.nextChunk - 1
            }
            guard let k else { return }
            let start = UInt64(k) * UInt64(chunkLength)
            do {
                cursor.release(before: start)
                let window = try read(cursor, start)
                scorer.score(window, index: k, start: start, into: results[k % slots])
                results[k % slots].pickChampions(with: picker)
                monitor.locked { state.ready[k % slots] = true; monitor.broadcast() }
            } catch {
                monitor.locked { if state.error == nil { state.error = error }; monitor.broadcast() }
                return
            }
        }
    }
}
