import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Encoding large texts on all cores.
///
/// The text is cut only at a "safe boundary" b: `text[b-1]` is `\n`, `text[b]` is an ASCII
/// letter and `text[b-2]` is printable ASCII other than space (0x21–0x7E). No piece of
/// either pattern spans such a b, and the pieces before it are the same whether the text
/// goes on or ends at b:
/// - the `\s` run holding the `\n` is just that `\n` (its left neighbour is not `\s`), so
///   `\s++$`, `\s*[\r\n]`, `\s+(?!\S)` and `\s` all give the piece "\n" ending at b (cl100k
///   takes it via `\s*[\r\n]` when text follows and via `\s++$` at a chunk end; r50k via
///   `\s` and `\s++$`), or it is the `[\r\n]*+` tail of a cl100k punctuation piece, which
///   stops at b in both cases;
/// - letter, number and punctuation runs stop at `\n`; a prefix character (cl100k's
///   `[^\r\n\p{L}\p{N}]?+`, the optional space) is never `\n`, and the lookaheads only look
///   at the character after the prefix, which is the `\n`;
/// - a contraction after an apostrophe at b-2 fails on the `\n` in both cases.
/// So the chunks encode independently and their concatenation equals the serial result,
/// whatever the number of threads or chunk size. Boundaries are ASCII, so chunks are also
/// whole UTF-8 and report the same first invalid byte as a serial pass.
extension Tokenizer {
    /// The ids of `bytes`, encoded on `threads` threads (0 = one per core), identical to
    /// `encodeOrdinary(_:into:)`. `chunkSize` is the target bytes per task; `offset` is the
    /// position of `bytes` in a larger text, so that "at byte N" in errors counts from there.
    public func encodeOrdinaryParallel(_ bytes: UnsafeRawBufferPointer, threads: Int = 0,
                                       chunkSize: Int = 1 << 20, offset: Int = 0) throws -> [UInt32] {
        if let whole = wholeTokenizer(unlessCovering: bytes) {
            return try whole.encodeOrdinaryParallel(bytes, threads: threads, chunkSize: chunkSize, offset: offset)
        }
        let starts = Tokenizer.chunkStarts(bytes, chunkSize: chunkSize)
        let workers = max(1, min(threads > 0 ? threads : Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), starts.count))
        if workers == 1 {
            var tokens: [UInt32] = []
            try encodeOrdinary(bytes, into: &tokens, offset: offset)
            return tokens
        }
        let chunkCount = starts.count
        let results = UnsafeMutablePointer<[UInt32]>.allocate(capacity: chunkCount)
        results.initialize(repeating: [], count: chunkCount)
        let errors = UnsafeMutablePointer<Error?>.allocate(capacity: chunkCount)
        errors.initialize(repeating: nil, count: chunkCount)
        defer {
            results.deinitialize(count: chunkCount); results.deallocate()
            errors.deinitialize(count: chunkCount); errors.deallocate()
        }
        // Each worker takes chunks w, w + workers, …: they write disjoint slots, so no lock.
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let encoder = makeEncoder()
            var index = worker
            while index < chunkCount {
                let start = starts[index]
                let end = index + 1 < chunkCount ? starts[index + 1] : bytes.count
                do {
                    try encodeChunk(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), offset: offset + start,
                                    encoder: encoder, into: &results[index])
                } catch {
                    errors[index] = error
                }
                index += workers
            }
        }
        var total = 0
        for index in 0..<chunkCount {
            if let error = errors[index] { throw error }
            total += results[index].count
        }
        var tokens: [UInt32] = []
        tokens.reserveCapacity(total)
        for index in 0..<chunkCount { tokens.append(contentsOf: results[index]) }
        return tokens
    }

    /// Start offsets of the chunks: 0, then the first safe boundary at or after each multiple
    /// of `chunkSize` (a stretch without one stays in a single chunk).
    static func chunkStarts(_ bytes: UnsafeRawBufferPointer, chunkSize: Int) -> [Int] {
        var starts = [0]
        guard bytes.count > 0 else { return starts }
        let text = bytes.bindMemory(to: UInt8.self)
        var target = max(chunkSize, 3)
        while target < bytes.count {
            var b = max(target, starts.last! + 1, 2)
            var found = -1
            while b < bytes.count {
                let letter = text[b] | 0x20
                if text[b - 1] == 0x0A && letter >= 0x61 && letter <= 0x7A && text[b - 2] > 0x20 && text[b - 2] < 0x7F {
                    found = b
                    break
                }
                b += 1
            }
            if found < 0 { break }
            starts.append(found)
            target = found + chunkSize
        }
        return starts
    }
}
