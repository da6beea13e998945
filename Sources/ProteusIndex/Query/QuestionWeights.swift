/// The question as the final pass sees it: its distinct token ids, how informative each one
/// is, and a weighted centroid of their features.
public struct QuestionWeights {
    /// Distinct question token ids that the index's vocabulary knows, in first-seen order.
    public private(set) var ids: [UInt32] = []
    /// Weight of each id: its surprisal above a floor, so function words ("the", "is")
    /// count little and rare content words count a lot.
    public private(set) var weights: [Float] = []
    /// Normalised weighted mean of the ids' feature vectors (empty without features).
    public private(set) var centroid: [Float] = []

    /// Surprisal (bits) below which a token is treated as a function word.
    public static let surprisalFloor: Float = 6

    public init(questionTokens: [UInt32], heroes: HeroView) {
        var seen = Set<UInt32>()
        for id in questionTokens where Int(id) < heroes.vocabularySize && seen.insert(id).inserted {
            ids.append(id)
            let s = heroes.surprisal[Int(id)]
            weights.append(max(s - QuestionWeights.surprisalFloor, 0.25))
        }
        let dim = heroes.featureDimension
        guard dim > 0, heroes.features.count >= heroes.vocabularySize * dim, !ids.isEmpty else { return }
        var c = [Float](repeating: 0, count: dim)
        for (id, w) in zip(ids, weights) {
            let row = Int(id) * dim
            let scale = heroes.featureScales[Int(id)] / 127 * w
            for d in 0..<dim { c[d] += Float(heroes.features[row + d]) * scale }
        }
        var norm: Float = 0
        for v in c { norm += v * v }
        norm = norm.squareRoot()
        if norm > 0 { centroid = c.map { $0 / norm } }
    }

    public var totalWeight: Float { weights.reduce(0, +) }
    public var isEmpty: Bool { ids.isEmpty }
}
