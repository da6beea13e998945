/// The sequential part of the build, fed chunk results strictly in chunk order: gates,
/// champion selection, and the hero pool with span windows. Everything here depends on the
/// order of chunks, never on which thread scored them, so any thread count gives the same
/// heroes.
final class ChampionStage {
    /// Neighbours captured on each side of a champion: twice the span, so that a champion in a
    /// cluster can keep a wider window at admission (see `admitHeroes`).
    private let span: Int
    private let baseSpan: Int
    private let chunkCount: Int
    private let keepWhole: Bool
    private let vocabularySize: Int
    private let dimension: Int
    private let gates: SalienceGates?
    private let selector: ChampionSelector
    private let pool: HeroPool
    /// Feature rows (`(vocabularySize + 1) × dimension`), stable storage for the gates.
    private let features: UnsafeMutableBufferPointer<Float>
    /// Gate bonus per id, valid where `stamp[id] == publication` (the gates' published state
    /// it was computed with).
    private let stamp: UnsafeMutablePointer<Int32>
    private var publication: Int32 = 1
    private let bonusCache: UnsafeMutablePointer<Float>
    /// Index in this chunk's learning list, valid where `learnStamp[id] == chunk index + 1`.
    private let learnStamp: UnsafeMutablePointer<Int32>
    private let learnIndex: UnsafeMutablePointer<Int32>
    /// Packed (final score, position) of this chunk's candidates.
    private let keys: UnsafeMutableBufferPointer<UInt64>

    /// Champions whose right neighbours lie in the next chunk, waiting for it.
    private let pending: HeroWindows
    /// Last `span` (capture reach) tokens and scores of the previous chunk, for left neighbours.
    private var tailTokens: [UInt32] = []
    private var tailScores: [Float] = []

    private(set) var champions: UInt64 = 0
    /// The whole stream, when it fits the buffer.
    private var wholeTokens: [UInt32] = []
    private var wholeScores: [Float] = []

    init(parameters p: BuildParameters, chunkCount: Int, keepWhole: Bool,
         features f: TokenFeatures, gates: SalienceGates?) {
        baseSpan = p.uses(.spans) ? p.span : 0
        span = min(2 * baseSpan, p.chunkLength - 1)
        self.chunkCount = chunkCount
        self.keepWhole = keepWhole
        vocabularySize = f.rowCount - 1
        dimension = f.dimension
        self.gates = gates
        selector = ChampionSelector(perChunk: p.perChunk, topP: p.topP)
        pool = HeroPool(keep: keepWhole ? 1 : p.bufferTokens, span: span)
        features = .allocate(capacity: f.values.count)
        _ = features.initialize(from: f.values)
        keys = .allocate(capacity: p.candidateLimit)
        stamp = .allocate(capacity: f.rowCount)
        stamp.initialize(repeating: 0, count: f.rowCount)
        bonusCache = .allocate(capacity: f.rowCount)
        learnStamp = .allocate(capacity: f.rowCount)
        learnStamp.initialize(repeating: 0, count: f.rowCount)
        learnIndex = .allocate(capacity: f.rowCount)
        pending = HeroWindows(capacity: span + 1, span: span)
    }

    deinit {
        features.deallocate()
        keys.deallocate()
        stamp.deallocate()
        bonusCache.deallocate()
        learnStamp.deallocate()
        learnIndex.deallocate()
    }

    @inline(__always)
    private func row(_ token: UInt32) -> UnsafePointer<Float> {
        UnsafePointer(features.baseAddress! + Int(min(token, UInt32(vocabularySize))) * dimension)
    }

    func consume(_ r: ChunkResult) {
        let n = r.count
        completePending(with: r)
        let candidateCount = r.candidateCount
        // Bonuses are cached per id for as long as the gates' published state lasts.
        let mark = publication
        for i in 0..<candidateCount {
            let c = r.candidates[i]
            var score = r.scores[Int(c)]
            if let gates {
                let t = r.tokens[Int(c)]
                let id = Int(min(t, UInt32(vocabularySize)))
                if stamp[id] != mark {
                    stamp[id] = mark
                    bonusCache[id] = gates.bonus(row(t))
                }
                score += bonusCache[id]
            }
            keys[i] = ChampionKey.make(score: score, position: c)
        }
        let chosen = UnsafeMutableBufferPointer(rebasing: keys[0..<candidateCount])
        let championCount = selector.select(chosen)
        let champs = UnsafeBufferPointer(rebasing: chosen[0..<championCount])
        champions += UInt64(championCount)
        if let gates {
            teach(gates, champions: champs, tokens: r.tokens, chunk: r.index)
            if SalienceGates.publishes(after: r.index) {
                gates.publish()
                publication += 1
            }
        }

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

    /// Hands the gates the chunk's distinct champion ids, strongest first, with multiplicity.
    private func teach(_ gates: SalienceGates, champions: UnsafeBufferPointer<UInt64>,
                       tokens: UnsafeMutableBufferPointer<UInt32>, chunk: Int) {
        let mark = Int32(chunk + 1)
        var rows: [(row: UnsafePointer<Float>, weight: Int)] = []
        for k in champions {
            let t = tokens[ChampionKey.position(k)]
            let id = Int(min(t, UInt32(vocabularySize)))
            if learnStamp[id] == mark {
                rows[Int(learnIndex[id])].weight += 1
            } else if rows.count < SalienceGates.learnLimit {
                learnStamp[id] = mark
                learnIndex[id] = Int32(rows.count)
                rows.append((row(t), 1))
            }
        }
        gates.learn(champions: rows)
    }

    /// Fills the right neighbours of the previous chunk's last champions from this chunk's
    /// head, then offers them to the pool.
    private func completePending(with r: ChunkResult) {
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

    /// The heroes and how many champions lost their seat.
    func finish(budget: Int) -> (heroes: AdmittedHeroes, evicted: UInt64) {
        for s in 0..<pending.count { offer(slot: s, of: pending) }
        pending.removeAll()
        if keepWhole {
            let heroes = AdmittedHeroes(positions: (0..<UInt64(wholeTokens.count)).map { $0 },
                                        tokens: wholeTokens, scores: wholeScores,
                                        admittedChampions: champions)
            return (heroes, 0)
        }
        let ranked = pool.finish()
        let heroes = admitHeroes(from: pool.windows, ranked: ranked, budget: budget, span: baseSpan)
        return (heroes, champions - heroes.admittedChampions)
    }
}
