import Dispatch

/// A read-only pass over a whole source: every window is read (and decompressed and
/// checksummed where the format has frames) and its tokens summed. It is the reader's
/// throughput with nothing else on top: `proteus-index scan` and the benchmarks use it.
public enum TokenScan {
    public struct Result: Sendable {
        public var tokens: UInt64 = 0
        public var windows: Int = 0
        /// Wrapping sum of all token ids: proves every token was read, and lets two readers
        /// of the same tokens be compared.
        public var sum: UInt64 = 0
    }

    /// Reads `source` in windows of `chunkLength` tokens on `threads` threads (windows are
    /// dealt round-robin; each thread has its own cursor). The sum does not depend on the
    /// thread count.
    public static func run(_ source: TokenSource, chunkLength: Int = 65_536, threads: Int = 1) throws -> Result {
        let windowCount = Int((source.tokenCount + UInt64(chunkLength) - 1) / UInt64(chunkLength))
        let workers = max(1, min(threads, windowCount))
        var results = [Result](repeating: Result(), count: workers)
        var errors = [Error?](repeating: nil, count: workers)
        let cursors = try (0..<workers).map { _ in try source.makeCursor() }
        results.withUnsafeMutableBufferPointer { resultSlots in
            errors.withUnsafeMutableBufferPointer { errorSlots in
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let cursor = cursors[worker]
                    var local = Result()
                    do {
                        var w = worker
                        while w < windowCount {
                            let start = UInt64(w) * UInt64(chunkLength)
                            let tokens = try cursor.read(start: start, count: chunkLength)
                            local.sum &+= sum(tokens)
                            local.tokens += UInt64(tokens.count)
                            local.windows += 1
                            cursor.release(before: start + UInt64(tokens.count))
                            w += workers
                        }
                    } catch {
                        errorSlots[worker] = error
                    }
                    resultSlots[worker] = local
                }
            }
        }
        if let error = errors.compactMap({ $0 }).first { throw error }
        return results.reduce(into: Result()) { total, r in
            total.tokens += r.tokens
            total.windows += r.windows
            total.sum &+= r.sum
        }
    }

    /// Sum of token ids with four independent accumulators so the loop vectorises.
    @inline(__always)
    static func sum(_ tokens: UnsafeBufferPointer<UInt32>) -> UInt64 {
        var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, d: UInt64 = 0
        var i = 0
        let n = tokens.count
        while i + 4 <= n {
            a &+= UInt64(tokens[i]); b &+= UInt64(tokens[i + 1])
            c &+= UInt64(tokens[i + 2]); d &+= UInt64(tokens[i + 3])
            i += 4
        }
        while i < n { a &+= UInt64(tokens[i]); i += 1 }
        return a &+ b &+ c &+ d
    }
}

extension TokenScan {
    /// The machine's own limit: maps `path` and sums its bytes as little-endian u32 words in
    /// one sequential pass, with no reader, window or format logic in between. A trailing
    /// partial word is ignored.
    public static func plain(path: String) throws -> Result {
        let map = try MappedFile(SystemFile(openForReading: path))
        map.advise(.sequential)
        let words = map.bytes.count / 4
        let tokens = UnsafeBufferPointer(start: map.bytes.baseAddress!.assumingMemoryBound(to: UInt32.self), count: words)
        return Result(tokens: UInt64(words), windows: 1, sum: sum(tokens))
    }
}
