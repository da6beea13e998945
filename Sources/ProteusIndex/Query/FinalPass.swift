/// One answer of the final pass: a hero span and how well it answers the question.
public struct RankedSpan: Equatable {
    public var spanIndex: Int
    public var span: HeroSpan
    public var score: Float
    /// Distinct question tokens found in the span.
    public var matchedTokens: Int
}

/// The "teleportation" step: the question's tokens attend over the heroes only.
///
/// A span's score is the share of the question's information it contains (exact token
/// matches weighted by surprisal), plus credit when several question tokens stand close
/// together, plus the feature similarity between the question and the span centroid, plus a
/// small prior from the span's own DNA score. One pass over the hero tokens tests each
/// token against a bitset of the question's ids, so a question costs microseconds.
public struct FinalPass {
    /// Weight of the feature-similarity term against the exact-match share (which is ≤ 1).
    public var similarityWeight: Float = 0.25
    /// Weight of the proximity term.
    public var proximityWeight: Float = 0.5
    /// Weight of the span's DNA prior.
    public var priorWeight: Float = 0.02
    /// Tokens over which proximity credit decays by half.
    public var proximityScale: Float = 4

    public init() {}

    /// Ranks the spans for one question and returns the best `top`, ties broken by position.
    public func rank(_ question: QuestionWeights, over heroes: HeroView, top: Int) -> [RankedSpan] {
        guard top > 0, heroes.spanCount > 0, !question.isEmpty else { return [] }
        let vocab = heroes.vocabularySize
        // Bitset of question ids and their slot, for an O(1) membership test per hero token.
        var bits = [UInt64](repeating: 0, count: (vocab + 63) / 64)
        var slotOf = [UInt32: Int]()
        for (slot, id) in question.ids.enumerated() {
            bits[Int(id) >> 6] |= 1 << (UInt64(id) & 63)
            slotOf[id] = slot
        }
        let total = max(question.totalWeight, 1e-6)
        let maxPrior = heroes.spanCount > 0 ? maxSpanScore(heroes) : 1
        let rankingAll = top >= heroes.spanCount
        var best: [RankedSpan] = []
        best.reserveCapacity(min(top, heroes.spanCount) + 1)
        var matchedInSpan = [Bool](repeating: false, count: question.ids.count)

        bits.withUnsafeBufferPointer { bitset in
            for s in 0..<heroes.spanCount {
                let span = heroes.span(s)
                let first = Int(span.firstHero), end = first + Int(span.length)
                var matched: Float = 0
                var matchedCount = 0
                var proximity: Float = 0
                var lastHit = -1, lastSlot = -1
                for i in first..<end {
                    let id = heroes.tokens[i]
                    guard Int(id) < vocab, bitset[Int(id) >> 6] & (1 << (UInt64(id) & 63)) != 0 else { continue }
                    let slot = slotOf[id]!
                    if !matchedInSpan[slot] {
                        matchedInSpan[slot] = true
                        matched += question.weights[slot]
                        matchedCount += 1
                    }
                    if lastHit >= 0 && slot != lastSlot {
                        let gap = Float(i - lastHit)
                        let w = min(question.weights[slot], question.weights[lastSlot])
                        proximity += w * proximityScale / (proximityScale + gap - 1)
                    }
                    lastHit = i
                    lastSlot = slot
                }
                if matchedCount > 0 {
                    for slot in 0..<matchedInSpan.count { matchedInSpan[slot] = false }
                }
                var score = matched / total + proximityWeight * proximity / total
                score += similarityWeight * similarity(question, heroes, span: s)
                score += priorWeight * (maxPrior > 0 ? span.score / maxPrior : 0)
                let candidate = RankedSpan(spanIndex: s, span: span, score: score, matchedTokens: matchedCount)
                if rankingAll { best.append(candidate) } else { insert(candidate, into: &best, top: top) }
            }
        }
        // Every span wanted (the LLM pack): one sort beats inserting thousands into a sorted prefix.
        if rankingAll { best.sort(by: FinalPass.before) }
        return best
    }

    private func similarity(_ q: QuestionWeights, _ heroes: HeroView, span s: Int) -> Float {
        let dim = heroes.featureDimension
        guard !q.centroid.isEmpty, heroes.spanFeatures.count >= (s + 1) * dim else { return 0 }
        var dot: Float = 0, norm: Float = 0
        let base = s * dim
        for d in 0..<dim {
            let v = heroes.spanFeatures[base + d]
            dot += v * q.centroid[d]
            norm += v * v
        }
        return norm > 0 ? max(dot / norm.squareRoot(), 0) : 0
    }

    private func maxSpanScore(_ heroes: HeroView) -> Float {
        var m: Float = 0
        for s in 0..<heroes.spanCount { m = max(m, heroes.span(s).score) }
        return m
    }

    /// Answer order: score descending, then position ascending.
    static func before(_ a: RankedSpan, _ b: RankedSpan) -> Bool {
        a.score != b.score ? a.score > b.score : a.span.start < b.span.start
    }

    /// Keeps `best` sorted in answer order, at most `top` long.
    private func insert(_ candidate: RankedSpan, into best: inout [RankedSpan], top: Int) {
        let before = FinalPass.before
        if best.count == top, let last = best.last, !before(candidate, last) { return }
        var i = best.count
        while i > 0 && before(candidate, best[i - 1]) { i -= 1 }
        best.insert(candidate, at: i)
        if best.count > top { best.removeLast() }
    }
}
