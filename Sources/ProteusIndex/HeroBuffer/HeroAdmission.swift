/// The hero tokens: positions with their ids and scores, sorted by position.
struct AdmittedHeroes {
    var positions: [UInt64] = []
    var tokens: [UInt32] = []
    var scores: [Float] = []
    /// Champions whose own position made it into the heroes.
    var admittedChampions: UInt64 = 0
}

/// Fills a `budget`-token buffer greedily from ranked champions: each brings its window,
/// nearest neighbours first, and only tokens not already covered count against the budget.
/// Overlapping windows merge; a position covered twice keeps its higher score.
///
/// A champion keeps `span` neighbours on each side, or all it captured (up to `2 * span`)
/// when another surviving champion lies within `span` of it: a cluster of champions marks a
/// passage (a needle sentence has several rare tokens close together, a haystack's rare words
/// are mostly alone), and a passage deserves its whole sentence rather than a fragment.
///
/// A champion whose captured window holds the same tokens as a better-ranked one's is a copy
/// of it (text repeated in the corpus) and takes no seat: the demo's haystack, the essays four
/// times, kept every salient span four times, and 4,096 heroes had no seat left for its needle.
/// The rule reads only the ranked pool, so a merge that admits from the merged pool keeps it.
func admitHeroes(from windows: HeroWindows, ranked: [Int], budget: Int, span: Int) -> AdmittedHeroes {
    let sortedPositions = ranked.map { windows.positions[$0] }.sorted()
    func clustered(_ p: UInt64) -> Bool {
        // First index with position >= p - span; a cluster needs a second one within p + span.
        var lo = 0, hi = sortedPositions.count
        let from = p >= UInt64(span) ? p - UInt64(span) : 0
        while lo < hi {
            let mid = (lo + hi) / 2
            if sortedPositions[mid] < from { lo = mid + 1 } else { hi = mid }
        }
        var n = 0
        while lo < sortedPositions.count && sortedPositions[lo] <= p + UInt64(span) {
            n += 1
            if n == 2 { return true }
            lo += 1
        }
        return false
    }
    var index: [UInt64: Int] = [:]
    index.reserveCapacity(budget)
    var tokens: [UInt32] = [], scores: [Float] = [], positions: [UInt64] = []
    var admitted: UInt64 = 0
    // The slots met so far by a hash of their captured tokens (compared in full where it
    // matches): an array of tokens per champion was an allocation each.
    var captured: [UInt64: [Int]] = [:]
    captured.reserveCapacity(ranked.count)
    for s in ranked {
        let p = windows.positions[s]
        let window = windows.captured(slot: s)
        let key = XXH64.hash(UnsafeRawBufferPointer(window))
        if let same = captured[key], same.contains(where: { windows.captured(slot: $0).elementsEqual(window) }) { continue }
        captured[key, default: []].append(s)
        if tokens.count == budget {
            // Full: the champion is kept only if an earlier window already covered it.
            if let k = index[p] {
                scores[k] = max(scores[k], windows.scores[s])
                admitted += 1
            }
            continue
        }
        let reach = clustered(p) ? windows.span : span
        let l = min(Int(windows.left[s]), reach), r = min(Int(windows.right[s]), reach)
        var centreKept = false
        // Offsets 0, -1, +1, -2, +2, ...: a partly fitting window keeps its closest tokens.
        for step in 0..<(2 * max(l, r) + 1) {
            let j = step == 0 ? 0 : (step % 2 == 1 ? -(step + 1) / 2 : step / 2)
            if j < -l || j > r { continue }
            let q = UInt64(Int64(p) + Int64(j))
            let score = windows.score(slot: s, offset: j)
            if let k = index[q] {
                scores[k] = max(scores[k], score)
                if j == 0 { centreKept = true }
            } else if tokens.count < budget {
                index[q] = tokens.count
                positions.append(q)
                tokens.append(windows.token(slot: s, offset: j))
                scores.append(score)
                if j == 0 { centreKept = true }
            }
        }
        if centreKept { admitted += 1 }
    }
    let order = positions.indices.sorted { positions[$0] < positions[$1] }
    return AdmittedHeroes(positions: order.map { positions[$0] }, tokens: order.map { tokens[$0] },
                          scores: order.map { scores[$0] }, admittedChampions: admitted)
}
