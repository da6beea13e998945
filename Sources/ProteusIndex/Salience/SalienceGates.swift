#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Salience gates: prototype directions in token-feature space that learn what the corpus's
/// champions look like and lend a bonus to candidates resembling them.
///
/// A gate opens for a feature `f` with `confidence * sigmoid((cos(f, prototype) - threshold)
/// / temperature)`; the bonus is `weight` bits times the most open gate. After each chunk the
/// gates move toward the champions they attracted (exponential moving average, `decay`), and
/// a champion no gate attracts seeds a free gate. Gates seeded from `--focus` stay fixed at
/// full confidence: the user said what matters. The state used for chunk k depends only on
/// chunks before k, which keeps the build sequentially defined.
final class SalienceGates {
    static let decay: Float = 0.97
    /// Cosine at which a gate is half open and at which a champion joins a gate.
    static let threshold: Float = 0.5
    static let temperature: Float = 0.1
    /// Largest bonus, in bits: enough to reorder near-ties, not to outweigh a token that is
    /// many bits more surprising (a needle should not lose to a look-alike of old champions).
    static let weight: Float = 4

    let count: Int
    let dimension: Int
    private(set) var prototypes: [Float]
    private(set) var confidence: [Float]
    private var active: [Bool]
    private var fixed: [Bool]

    /// `focusRows` are the feature rows of distinct focus tokens (at most `count` are used).
    init(count: Int, dimension: Int, focusRows: [[Float]]) {
        self.count = count
        self.dimension = dimension
        prototypes = [Float](repeating: 0, count: count * dimension)
        confidence = [Float](repeating: 0, count: count)
        active = [Bool](repeating: false, count: count)
        fixed = [Bool](repeating: false, count: count)
        var g = 0
        for row in focusRows where g < count && Self.norm(row) > 0 {
            setPrototype(g, row)
            confidence[g] = 1
            active[g] = true
            fixed[g] = true
            g += 1
        }
    }

    /// The best gate for a feature row and its cosine (`(-1, -inf)` when no gate is active).
    @inline(__always)
    func nearest(_ f: UnsafePointer<Float>) -> (gate: Int, cosine: Float) {
        var best = -1
        var bestCos = -Float.infinity
        prototypes.withUnsafeBufferPointer { p in
            for g in 0..<count where active[g] {
                var dot: Float = 0
                let base = g * dimension
                for j in 0..<dimension { dot += p[base + j] * f[j] }
                if dot > bestCos { bestCos = dot; best = g }
            }
        }
        return (best, bestCos)
    }

    /// Bonus in bits for a feature row (0 when no gate is active or the row is zero).
    func bonus(_ f: UnsafePointer<Float>) -> Float {
        var open: Float = 0
        prototypes.withUnsafeBufferPointer { p in
            for g in 0..<count where active[g] {
                var dot: Float = 0
                let base = g * dimension
                for j in 0..<dimension { dot += p[base + j] * f[j] }
                let a = confidence[g] / (1 + expf(-(dot - Self.threshold) / Self.temperature))
                open = max(open, a)
            }
        }
        return Self.weight * open
    }

    /// Moves the gates toward the chunk's champions (feature rows, strongest first).
    func learn(champions rows: [UnsafePointer<Float>]) {
        var sums = [Float](repeating: 0, count: count * dimension)
        var attracted = [Int](repeating: 0, count: count)
        for f in rows {
            var zero = true
            for j in 0..<dimension where f[j] != 0 { zero = false; break }
            if zero { continue }
            let (g, cosine) = nearest(f)
            if g >= 0 && cosine >= Self.threshold {
                attracted[g] += 1
                for j in 0..<dimension { sums[g * dimension + j] += f[j] }
            } else if let free = active.firstIndex(of: false) {
                // A new kind of champion: it becomes a gate, weak until confirmed.
                setPrototype(free, (0..<dimension).map { f[$0] })
                active[free] = true
                attracted[free] = 1
                for j in 0..<dimension { sums[free * dimension + j] += f[j] }
            }
        }
        for g in 0..<count where active[g] && !fixed[g] {
            confidence[g] = Self.decay * confidence[g] + (1 - Self.decay) * (attracted[g] > 0 ? 1 : 0)
            guard attracted[g] > 0 else { continue }
            let base = g * dimension
            let inv = 1 / Float(attracted[g])
            var row = [Float](repeating: 0, count: dimension)
            for j in 0..<dimension {
                row[j] = Self.decay * prototypes[base + j] + (1 - Self.decay) * sums[base + j] * inv
            }
            setPrototype(g, row)
        }
    }

    private func setPrototype(_ g: Int, _ row: [Float]) {
        let n = Self.norm(row)
        for j in 0..<dimension { prototypes[g * dimension + j] = n > 0 ? row[j] / n : 0 }
    }

    private static func norm(_ row: [Float]) -> Float {
        row.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }
}
