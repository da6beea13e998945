/// Computes a `CorpusIdentity` from the token stream itself, so the same tokens are
/// recognised however they are stored: a full hash fed window by window during the build's
/// single in-order pass, and a sample hash over a few fixed blocks that a query can check
/// by reading those blocks alone.
///
/// The full hash is XXH64 over the XXH64 digests of consecutive `blockTokens`-token blocks
/// (the last one may be short): shards aligned to blocks hash their own blocks and a merge
/// combines their digests into the hash of the whole corpus.
struct CorpusIdentityHasher {
    /// Tokens per hashed block of the full hash.
    static let blockTokens = 4_096

    /// Tokens per sampled block and number of blocks: 8 reads of 256 tokens (a few frames
    /// of a `.tok`) are enough to tell a changed corpus of the same length.
    static let sampleBlockTokens = 256
    static let sampleBlockCount = 8

    /// The sampled blocks of a stream of `tokenCount` tokens: increasing, disjoint, evenly
    /// spaced from the first token to the last.
    static func sampleBlocks(tokenCount n: UInt64) -> [Range<UInt64>] {
        let length = UInt64(sampleBlockTokens)
        guard n > length * UInt64(sampleBlockCount) else { return n > 0 ? [0..<n] : [] }
        let room = n - length
        let k = UInt64(sampleBlockCount - 1)
        return (0...k).map { i in
            let start = room / k * i + (i == k ? room % k : 0)
            return start..<(start + length)
        }
    }

    private let blocks: [Range<UInt64>]
    private var nextBlock = 0
    private var content = XXH64()
    private var block = XXH64()
    private var inBlock = 0
    /// The block digests, kept when `keepsDigests` (a shard carries them to the merge).
    private(set) var digests: [UInt64] = []
    var keepsDigests = false
    private var sample = XXH64()
    private var position: UInt64 = 0
    private let tokenCount: UInt64

    /// `start`: the position of the first token fed (a shard's first token, block-aligned).
    init(tokenCount: UInt64, start: UInt64 = 0) {
        self.tokenCount = tokenCount
        blocks = Self.sampleBlocks(tokenCount: tokenCount)
        position = start
        nextBlock = blocks.firstIndex { $0.upperBound > start } ?? blocks.count
    }

    private mutating func hashBlocks(_ raw: UnsafeRawBufferPointer) {
        var at = 0
        while at < raw.count {
            let n = min(raw.count - at, (Self.blockTokens - inBlock) * 4)
            block.update(UnsafeRawBufferPointer(rebasing: raw[at..<(at + n)]))
            inBlock += n / 4
            at += n
            if inBlock == Self.blockTokens { endBlock() }
        }
    }

    private mutating func endBlock() {
        let digest = block.digest()
        withUnsafeBytes(of: digest.littleEndian) { content.update($0) }
        if keepsDigests { digests.append(digest) }
        block = XXH64()
        inBlock = 0
    }

    /// Ends a short last block (the corpus's or a shard's end); call once, after the last update.
    mutating func endStream() {
        if inBlock > 0 { endBlock() }
    }

    /// The full hash of a corpus from its block digests in order.
    static func contentHash(digests: [UInt64]) -> UInt64 {
        var h = XXH64()
        for d in digests { withUnsafeBytes(of: d.littleEndian) { h.update($0) } }
        return h.digest()
    }

    /// Feeds the next tokens of the stream, in order.
    mutating func update(_ tokens: UnsafeBufferPointer<UInt32>) {
        let raw = UnsafeRawBufferPointer(tokens)
        hashBlocks(raw)
        let end = position + UInt64(tokens.count)
        while nextBlock < blocks.count, blocks[nextBlock].lowerBound < end {
            let b = blocks[nextBlock]
            let lo = max(b.lowerBound, position), hi = min(b.upperBound, end)
            sample.update(UnsafeRawBufferPointer(rebasing: raw[Int(lo - position) * 4..<Int(hi - position) * 4]))
            if hi < b.upperBound { break }
            nextBlock += 1
        }
        position = end
    }

    mutating func finish() -> CorpusIdentity {
        precondition(position == tokenCount, "corpus identity fed \(position) of \(tokenCount) tokens")
        endStream()
        return CorpusIdentity(tokenCount: tokenCount, contentHash: content.digest(), sampleHash: sample.digest())
    }

    /// The identity of `source` read from scratch: with `full`, every token is read (for
    /// `inspect --verify`); otherwise only the sampled blocks, and `contentHash` is 0.
    static func identity(of source: TokenSource, full: Bool) throws -> CorpusIdentity {
        let n = source.tokenCount
        let cursor = try source.makeCursor()
        var hasher = CorpusIdentityHasher(tokenCount: n)
        if full {
            var start: UInt64 = 0
            while start < n {
                let window = try cursor.read(start: start, count: 1 << 16)
                hasher.update(window)
                start += UInt64(window.count)
                cursor.release(before: start)
            }
            return hasher.finish()
        }
        var sample = XXH64()
        for b in sampleBlocks(tokenCount: n) {
            let tokens = try cursor.read(start: b.lowerBound, count: Int(b.count))
            sample.update(UnsafeRawBufferPointer(tokens))
        }
        return CorpusIdentity(tokenCount: n, contentHash: 0, sampleHash: sample.digest())
    }
}
