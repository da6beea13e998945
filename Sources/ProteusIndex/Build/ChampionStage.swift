/// The sequential part of the build, fed chunk results strictly in chunk order: the hero
/// pool with span windows. The champions arrive already picked (in parallel, with the frozen
/// DNA), so the only cross-chunk state is the pool (a top-N with deterministic ties) and the
/// neighbours at chunk edges: any thread count gives the same heroes.
final class ChampionStage {
    /// Neighbours captured on each side of a champion: twice the span, so that a champion in a
    /// cluster can keep a wider window at admission (see `admitHeroes`).
    private let span: Int
    private let baseSpan: Int
    private let chunkCount: Int
    private let keepWhole: Bool
    private let pool: HeroPool

    /// Champions whose right neighbours lie in the next chunk, waiting for it.
    private let pending: HeroWindows
    /// Last `span` (capture reach) tokens and scores of the previous chunk, for left neighbours.
    private var tailTokens: [UInt32] = []
    private var tailScores: [Float] = []

    private(set) var champions: UInt64 = 0
    /// The whole stream, when it fits the buffer.
    private var wholeTokens: [UInt32] = []
    private var wholeScores: [Float] = []

    init(parameters p: BuildParameters, chunkCount: Int, keepWhole: Bool) {
        baseSpan = p.uses(.spans) ? p.span : 0
        span = min(2 * baseSpan, p.chunkLength - 1)
        self.chunkCount = chunkCount
        self.keepWhole = keepWhole
        pool = HeroPool(keep: keepWhole ? 1 : p.bufferTokens, span: span)
        pending = HeroWindows(capacity: span + 1, span: span)
    }

    /// A shard's start: the chunk before it only lends its tail, for left neighbours.
    func prime(with r: ChunkResult) {
        let keepTail = min(span, r.count)
        tailTokens = Array(r.tokens[(r.count - keepTail)..<r.count])
        tailScores = Array(r.scores[(r.count - keepTail)..<r.count])
    }

    func consume(_ r: ChunkResult) {
        let n = r.count
        completePending(with: r)
        let champs = UnsafeBufferPointer(rebasing: r.champions[0..<r.championCount])
        champions += UInt64(r.championCount)

        if keepWhole {
            let base = wholeScores.count
            wholeTokens.append(contentsOf: r.tokens[0..<n])
            wholeScores.append(contentsOf: r.scores[0..<n])
            for k in champs {
                let i = base + ChampionKey.position(k)
                wholeScores[i] = max(wholeScores[i], ChampionKey.score(k))
            }
            return
        }
        let last = r.index == chunkCount - 1
        for k in champs {
            let i = ChampionKey.position(k)
            let position = r.start + UInt64(i)
            let score = ChampionKey.score(k)
            guard pool.accepts(score: score, position: position) else {
                _ = pool.reserve(score: score, position: position)  // counts the rejection
                continue
            }
            let waits = !last && i + span >= n
            let w: HeroWindows, s: Int
            if waits {
                w = pending
                s = pending.append(position: position, score: score)
            } else {
                guard let slot = pool.reserve(score: score, position: position) else { continue }
                w = pool.windows  // after `reserve`: compaction may have swapped the storage
                s = slot
            }
            w.set(slot: s, offset: 0, token: r.tokens[i], score: score)
            var l = 0
            while l < span {
                let q = i - l - 1
                if q >= 0 {
                    w.set(slot: s, offset: -(l + 1), token: r.tokens[q], score: r.scores[q])
                } else {
                    let t = tailTokens.count + q
                    guard t >= 0 else { break }
                    w.set(slot: s, offset: -(l + 1), token: tailTokens[t], score: tailScores[t])
                }
                l += 1
            }
            var rr = 0
            while rr < span && i + rr + 1 < n {
                w.set(slot: s, offset: rr + 1, token: r.tokens[i + rr + 1], score: r.scores[i + rr + 1])
                rr += 1
            }
            w.left[s] = Int32(l)
            w.right[s] = Int32(rr)
        }
        let keepTail = min(span, n)
        tailTokens = Array(r.tokens[(n - keepTail)..<n])
        tailScores = Array(r.scores[(n - keepTail)..<n])
    }

    /// Fills the right neighbours of the previous chunk's last champions from this chunk's
    /// head, then offers them to the pool.
    func completePending(with r: ChunkResult) {
        for s in 0..<pending.count {
            var rr = Int(pending.right[s])
            while rr < span {
                let q = Int(pending.positions[s] + UInt64(rr + 1) - r.start)
                guard q < r.count else { break }
                pending.set(slot: s, offset: rr + 1, token: r.tokens[q], score: r.scores[q])
                rr += 1
            }
            pending.right[s] = Int32(rr)
            offer(slot: s, of: pending)
        }
        pending.removeAll()
    }

    private func offer(slot s: Int, of w: HeroWindows) {
        guard let d = pool.reserve(score: w.scores[s], position: w.positions[s]) else { return }
        let target = pool.windows
        target.positions[d] = w.positions[s]
        target.left[d] = w.left[s]
        target.right[d] = w.right[s]
        for j in -Int(w.left[s])...Int(w.right[s]) {
            target.set(slot: d, offset: j, token: w.token(slot: s, offset: j), score: w.score(slot: s, offset: j))
        }
    }

    /// The heroes, how many champions lost their seat, and the ranked pool they came from
    /// (what a shard carries to the merge). `firstPosition`: where the stream starts (a shard's
    /// first token), for an input kept whole.
    func finish(budget: Int, firstPosition: UInt64 = 0) -> (heroes: AdmittedHeroes, evicted: UInt64, ranked: [Int]) {
        for s in 0..<pending.count { offer(slot: s, of: pending) }
        pending.removeAll()
        if keepWhole {
            let heroes = AdmittedHeroes(positions: (0..<UInt64(wholeTokens.count)).map { firstPosition + $0 },
                                        tokens: wholeTokens, scores: wholeScores,
                                        admittedChampions: champions)
            return (heroes, 0, [])
        }
        let ranked = pool.finish()
        let heroes = admitHeroes(from: pool.windows, ranked: ranked, budget: budget, span: baseSpan)
        return (heroes, champions - heroes.admittedChampions, ranked)
    }

    /// The pool's champion windows (valid after `finish`).
    var poolWindows: HeroWindows { pool.windows }
    /// The neighbours kept on each side at admission.
    var admissionSpan: Int { baseSpan }
}
