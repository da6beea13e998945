/// The token feature rows in stable storage, shared read-only by every picker of a build.
final class FeatureRows: @unchecked Sendable {
    let values: UnsafeMutableBufferPointer<Float>
    init(_ f: TokenFeatures) {
        values = .allocate(capacity: f.values.count)
        _ = values.initialize(from: f.values)
    }
    deinit { values.deallocate() }
}

/// Turns one scored chunk into its champions: adds the frozen gates' bonus to each candidate,
/// then ranks and cuts (`ChampionSelector`). Depends on the chunk and the DNA only, so any
/// worker can pick any chunk and the champions are the same.
final class ChampionPicker {
    private let vocabularySize: Int
    private let dimension: Int
    private let gates: SalienceGates?
    private let selector: ChampionSelector
    /// Feature rows (`(vocabularySize + 1) × dimension`), stable storage for the gates.
    private let rows: FeatureRows
    /// Gate bonus per id, valid where `stamp[id]` is the gates' `publications` (their
    /// published state when it was computed).
    private let stamp: UnsafeMutablePointer<Int32>
    private let bonusCache: UnsafeMutablePointer<Float>
    /// Index in this chunk's learning list, valid where `learnStamp[id] == chunk index + 1`.
    private let learnStamp: UnsafeMutablePointer<Int32>
    private let learnIndex: UnsafeMutablePointer<Int32>
    /// Packed (final score, position) of the chunk's candidates; the champions lead.
    let keys: UnsafeMutableBufferPointer<UInt64>

    init(parameters p: BuildParameters, features f: TokenFeatures, rows: FeatureRows, gates: SalienceGates?) {
        vocabularySize = f.rowCount - 1
        dimension = f.dimension
        self.gates = gates
        selector = ChampionSelector(perChunk: p.perChunk, topP: p.topP)
        self.rows = rows
        keys = .allocate(capacity: p.candidateLimit)
        stamp = .allocate(capacity: f.rowCount)
        stamp.initialize(repeating: -1, count: f.rowCount)
        bonusCache = .allocate(capacity: f.rowCount)
        learnStamp = .allocate(capacity: f.rowCount)
        learnStamp.initialize(repeating: 0, count: f.rowCount)
        learnIndex = .allocate(capacity: f.rowCount)
    }

    deinit {
        keys.deallocate()
        stamp.deallocate()
        bonusCache.deallocate()
        learnStamp.deallocate()
        learnIndex.deallocate()
    }

    @inline(__always)
    private func row(_ token: UInt32) -> UnsafePointer<Float> {
        UnsafePointer(rows.values.baseAddress! + Int(min(token, UInt32(vocabularySize))) * dimension)
    }

    /// The chunk's champions as `ChampionKey`s, best first (a view of `keys`, valid until the
    /// next call).
    func pick(_ r: ChunkResult) -> UnsafeBufferPointer<UInt64> {
        pick(r, bonuses: nil)
    }

    /// The same with every id's gate bonus looked up in `bonuses` (`fillBonuses`; NaN: not
    /// there, computed), when given, instead of this picker's cache.
    func pick(_ r: ChunkResult, bonuses: UnsafePointer<Float>?) -> UnsafeBufferPointer<UInt64> {
        let candidateCount = r.candidateCount
        // Bonuses are cached per id for as long as the gates' published state lasts.
        let mark = gates?.publications ?? 0
        for i in 0..<candidateCount {
            let c = r.candidates[i]
            var score = r.scores[Int(c)]
            if let gates {
                let t = r.tokens[Int(c)]
                let id = Int(min(t, UInt32(vocabularySize)))
                if let bonuses {
                    let b = bonuses[id]
                    score += b.isNaN ? gates.bonus(row(t)) : b
                } else {
                    if stamp[id] != mark {
                        stamp[id] = mark
                        bonusCache[id] = gates.bonus(row(t))
                    }
                    score += bonusCache[id]
                }
            }
            keys[i] = ChampionKey.make(score: score, position: c)
        }
        let chosen = UnsafeMutableBufferPointer(rebasing: keys[0..<candidateCount])
        let championCount = selector.select(chosen)
        return UnsafeBufferPointer(rebasing: chosen[0..<championCount])
    }

    /// Writes the gates' bonus of each id of `ids` (at most `vocabularySize`, the row of every
    /// id beyond) to `table[id]`, for `pick(_:bonuses:)`.
    func fillBonuses(_ ids: ArraySlice<UInt32>, into table: UnsafeMutablePointer<Float>) {
        guard let gates else { return }
        for id in ids { table[Int(id)] = gates.bonus(row(id)) }
    }

    /// One chunk's lesson for the gates (the DNA's gate evolution): its distinct champion ids,
    /// strongest first, with multiplicity, at most `SalienceGates.learnLimit`. It depends on
    /// the chunk's champions alone, so workers draw the lessons of the chunks between two
    /// publications side by side while the gates stand still.
    func lesson(champions: UnsafeBufferPointer<UInt64>, tokens: UnsafeMutableBufferPointer<UInt32>, chunk: Int) -> [Lesson] {
        guard gates != nil else { return [] }
        let mark = Int32(truncatingIfNeeded: chunk + 1)
        var lesson: [Lesson] = []
        for k in champions {
            let t = tokens[ChampionKey.position(k)]
            let id = Int(min(t, UInt32(vocabularySize)))
            if learnStamp[id] == mark {
                lesson[Int(learnIndex[id])].weight += 1
            } else if lesson.count < SalienceGates.learnLimit {
                learnStamp[id] = mark
                learnIndex[id] = Int32(lesson.count)
                lesson.append(Lesson(id: UInt32(id), weight: 1))
            }
        }
        return lesson
    }

    /// Learning only: teaches the gates chunk `chunk`'s lesson, and publishes on the gates'
    /// schedule (every picker's cached bonuses then lapse).
    func teach(_ lesson: [Lesson], chunk: Int) {
        guard let gates else { return }
        gates.learn(champions: lesson.map { (row($0.id), $0.weight) })
        if SalienceGates.publishes(after: chunk) { gates.publish() }
    }

    /// A champion id and how many of the chunk's champions it is.
    struct Lesson {
        var id: UInt32
        var weight: Int
    }

    /// Makes the gates' current learned state the one that scores (the end of learning).
    func publishFinal() {
        gates?.publish()
    }
}
