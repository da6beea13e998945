/// What a shard index carries beyond its own heroes, so that a merge of all shards equals the
/// single build: its place (shard i of N, its chunks), its counts, the corpus hash's block
/// digests of its range, its ranked champion pool with the captured windows (the global best
/// are among the shards' best: a top-N with deterministic ties is associative), and the DNA
/// it was scored with. Stored as the `SHRD` section (`MetadataWriter` encoding).
struct ShardState: Equatable, Sendable {
    var spec: ShardSpec
    var chunks: Range<Int>
    var chunkCount: Int
    var champions: UInt64
    var keptWhole: Bool
    /// The corpus's sample hash (every shard computes the same: the corpus fingerprint).
    var sampleHash: UInt64
    var digests: [UInt64]
    /// The `.dna` encoding of the DNA (`DNAFile.encode`); empty when decoded without it.
    var dna: [UInt8]
    /// XXH64 of the DNA bytes (set on decoding), to compare shards without holding them.
    var dnaHash: UInt64 = 0
    /// Captured neighbours on each side (window width `2 * captureSpan + 1`).
    var captureSpan: Int
    /// The ranked pool: score descending, then position ascending.
    var positions: [UInt64] = []
    var scores: [Float] = []
    var left: [Int32] = []
    var right: [Int32] = []
    var windowTokens: [UInt32] = []
    var windowScores: [Float] = []
    /// The routing windows' count, line breaks (the lists are in `SWIN`).
    var windowCount: Int
    var lineStarts: [UInt64]?
    var lineBreaks: UInt64

    var width: Int { 2 * captureSpan + 1 }

    /// Copies the ranked slots of `windows` into the pool arrays.
    mutating func keep(_ ranked: [Int], of windows: HeroWindows) {
        for s in ranked {
            positions.append(windows.positions[s])
            scores.append(windows.scores[s])
            left.append(windows.left[s])
            right.append(windows.right[s])
            windowTokens.append(contentsOf: UnsafeBufferPointer(start: windows.windowTokens + s * width, count: width))
            windowScores.append(contentsOf: UnsafeBufferPointer(start: windows.windowScores + s * width, count: width))
        }
    }

    func encoded() -> [UInt8] {
        var w = MetadataWriter()
        w.int(spec.index); w.int(spec.count)
        w.int(chunks.lowerBound); w.int(chunks.upperBound); w.int(chunkCount)
        w.u64(champions); w.u8(keptWhole ? 1 : 0); w.u64(sampleHash)
        w.int(captureSpan); w.int(windowCount); w.u64(lineBreaks)
        w.u8(lineStarts == nil ? 0 : 1); w.array(lineStarts ?? [])
        w.array(digests); w.array(dna)
        w.array(positions); w.array(scores); w.array(left); w.array(right)
        w.array(windowTokens); w.array(windowScores)
        w.int(spec.last)
        return w.bytes
    }

    /// Parses `SHRD`; the DNA bytes and the pool's windows are kept only when asked (the
    /// merge holds every shard's state at once, and needs those of one shard at a time).
    static func decode(_ raw: UnsafeRawBufferPointer, withDNA: Bool = true, withWindows: Bool = true,
                       fail: @escaping (String) -> ProteusError) throws -> ShardState {
        var r = MetadataReader(raw: raw, fail: fail)
        let index = try r.int(), count = try r.int()
        guard count >= 1, index >= 1, index <= count else { throw fail("shard \(index)/\(count) is impossible") }
        let first = try r.int(), end = try r.int(), chunkCount = try r.int()
        guard first >= 0, first <= end, end <= chunkCount else { throw fail("shard chunks \(first)..<\(end) of \(chunkCount) are impossible") }
        let champions = try r.u64(), keptWhole = try r.u8() != 0, sampleHash = try r.u64()
        let captureSpan = try r.int(), windowCount = try r.int(), lineBreaks = try r.u64()
        let hasLines = try r.u8() != 0
        let lines: [UInt64] = try r.array()
        let digests: [UInt64] = try r.array()
        let dnaBytes = try r.arrayBytes(of: UInt8.self)
        var s = ShardState(spec: ShardSpec(index: index, count: count), chunks: first..<end, chunkCount: chunkCount,
                           champions: champions, keptWhole: keptWhole, sampleHash: sampleHash, digests: digests,
                           dna: withDNA ? Array(dnaBytes) : [], captureSpan: captureSpan, windowCount: windowCount,
                           lineStarts: hasLines ? lines : nil, lineBreaks: lineBreaks)
        s.dnaHash = XXH64.hash(dnaBytes)
        s.positions = try r.array(); s.scores = try r.array(); s.left = try r.array(); s.right = try r.array()
        // The windows (most of the bytes) only when asked: the merge copies them shard by shard.
        let tokens = try r.arrayBytes(of: UInt32.self), scores = try r.arrayBytes(of: Float.self)
        if withWindows {
            s.windowTokens = MetadataReader.elements(tokens, as: UInt32.self)
            s.windowScores = MetadataReader.elements(scores, as: Float.self)
        }
        // The last shard covered, at the end so that a shard written before partial merges reads as one shard.
        if !r.atEnd {
            let last = try r.int()
            guard last >= index, last <= count else { throw fail("shard \(index)-\(last)/\(count) is impossible") }
            s.spec = ShardSpec(index: index, last: last, count: count)
        }
        let n = s.positions.count
        guard captureSpan >= 0, windowCount >= 0, s.scores.count == n, s.left.count == n, s.right.count == n,
              tokens.count == 4 * n * s.width, scores.count == 4 * n * s.width,
              zip(s.left, s.right).allSatisfy({ $0 >= 0 && $1 >= 0 && Int($0) <= captureSpan && Int($1) <= captureSpan }) else {
            throw fail("shard pool of \(n) champions has arrays of other sizes or windows wider than \(captureSpan)")
        }
        return s
    }
}
