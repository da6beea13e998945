#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a chunk's candidates (with final scores) into its champions: the best `perChunk`
/// by score (ties: lower position first), then a nucleus cut.
///
/// Nucleus: weights `2^((score - best) / temperature)` over the ranked champions; keep the
/// smallest prefix whose weight reaches `topP` of the total. Scores are in bits, so with
/// `temperature` = 2 a token 2 bits less salient counts half as much: a chunk dominated by a
/// few outliers (a needle) promotes only those, a flat chunk promotes up to `perChunk`.
final class ChampionSelector {
    static let temperature: Double = 2

    let perChunk: Int
    let topP: Double
    private var order: [Int32] = []

    init(perChunk: Int, topP: Double) {
        self.perChunk = perChunk
        self.topP = topP
    }

    /// `candidates[i]` is a position in the chunk with final score `scores[i]`. Returns the
    /// champions as indices into `candidates`, strongest first.
    func select(candidates: UnsafeBufferPointer<Int32>, scores: UnsafeBufferPointer<Float>) -> ArraySlice<Int32> {
        let n = candidates.count
        order.removeAll(keepingCapacity: true)
        for i in 0..<n { order.append(Int32(i)) }
        order.sort { a, b in
            let sa = scores[Int(a)], sb = scores[Int(b)]
            return sa > sb || (sa == sb && candidates[Int(a)] < candidates[Int(b)])
        }
        let m = min(perChunk, n)
        guard m > 0 else { return order[0..<0] }
        if topP >= 1 { return order[0..<m] }
        let best = Double(scores[Int(order[0])])
        var total = 0.0
        for i in 0..<m { total += exp2((Double(scores[Int(order[i])]) - best) / Self.temperature) }
        var cumulative = 0.0
        var kept = m
        for i in 0..<m {
            cumulative += exp2((Double(scores[Int(order[i])]) - best) / Self.temperature)
            if cumulative >= topP * total { kept = i + 1; break }
        }
        return order[0..<kept]
    }
}
