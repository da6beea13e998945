#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Salience gates: prototype directions in token-feature space that learn what the corpus's
/// champions look like and lend a bonus to candidates resembling them (README, "How it
/// works", "Salience gates", has the whole rule and why it is built this way).
final class SalienceGates {
    static let decay: Float = 0.97
    /// Cosine at which a gate is half open and at which a champion joins a gate.
    static let threshold: Float = 0.5
    static let temperature: Float = 0.1
    /// Largest bonus of a learned gate, in bits: it reorders near-ties but cannot lift a
    /// look-alike of past champions over a token a few bits more surprising (a needle is by
    /// definition unlike the haystack the gates learned from).
    static let learnedWeight: Float = 1
    /// Largest bonus of a `--focus` gate, in bits.
    static let focusWeight: Float = 4
    /// Champions (distinct ids, strongest first) a chunk teaches the gates with: the gates
    /// follow what wins, and the tail of a flat chunk would only add noise and time.
    static let learnLimit = 64
    /// Chunks between publications of the learned state, once past the first few.
    static let publishInterval = 32

    /// Whether the build publishes after chunk `index` (0-based).
    static func publishes(after index: Int) -> Bool {
        let done = index + 1
        return done % publishInterval == 0 || (done < publishInterval && done & (done - 1) == 0)
    }

    let count: Int
    let dimension: Int
    private let prototypes: UnsafeMutablePointer<Float>
    /// Published prototypes, `dimension × lanes` (gates padded to a multiple of 8): all
    /// gates' cosines for one feature in one SIMD pass.
    private let transposed: UnsafeMutablePointer<Float>
    private let lanes: Int
    /// Published `weight * confidence` per gate (0 for unused gates and padding).
    private let servingStrength: UnsafeMutablePointer<Float>
    private var servingAny = false
    /// How many times a state was published: a picker's cached bonuses are valid while this
    /// stays what it was when they were computed.
    private(set) var publications: Int32 = 0
    private var confidence: [Float]
    private var weight: [Float]
    private var active: [Int] = []   // indices of gates in use, in order of creation
    private var fixed: [Bool]

    /// `focusRows` are the feature rows of distinct focus tokens (at most `count` are used).
    init(count: Int, dimension: Int, focusRows: [[Float]]) {
        self.count = count
        self.dimension = dimension
        prototypes = .allocate(capacity: max(1, count * dimension))
        prototypes.initialize(repeating: 0, count: max(1, count * dimension))
        lanes = max(8, (count + 7) / 8 * 8)
        transposed = .allocate(capacity: lanes * dimension)
        transposed.initialize(repeating: 0, count: lanes * dimension)
        servingStrength = .allocate(capacity: lanes)
        servingStrength.initialize(repeating: 0, count: lanes)
        confidence = [Float](repeating: 0, count: count)
        weight = [Float](repeating: Self.learnedWeight, count: count)
        fixed = [Bool](repeating: false, count: count)
        for row in focusRows where active.count < count && Self.norm(row) > 0 {
            let g = active.count
            row.withUnsafeBufferPointer { setPrototype(g, $0.baseAddress!) }
            confidence[g] = 1
            weight[g] = Self.focusWeight
            fixed[g] = true
            active.append(g)
        }
        publish()
    }

    /// Everything the gates are, for the `.dna` file: gates `0..<activeCount` are in use.
    struct State: Equatable {
        var prototypes: [Float]
        var confidence: [Float]
        var weight: [Float]
        var fixed: [Bool]
        var activeCount: Int
    }

    var state: State {
        State(prototypes: prototypeValues, confidence: confidence, weight: weight, fixed: fixed, activeCount: active.count)
    }

    /// Gates restored from `state` (sizes checked by the caller), published: frozen DNA.
    init(count: Int, dimension: Int, state: State) {
        self.count = count
        self.dimension = dimension
        prototypes = .allocate(capacity: max(1, count * dimension))
        prototypes.initialize(repeating: 0, count: max(1, count * dimension))
        for i in 0..<(count * dimension) { prototypes[i] = state.prototypes[i] }
        lanes = max(8, (count + 7) / 8 * 8)
        transposed = .allocate(capacity: lanes * dimension)
        transposed.initialize(repeating: 0, count: lanes * dimension)
        servingStrength = .allocate(capacity: lanes)
        servingStrength.initialize(repeating: 0, count: lanes)
        confidence = state.confidence
        weight = state.weight
        fixed = state.fixed
        active = Array(0..<state.activeCount)
        publish()
    }

    /// Makes the learned state the one `bonus` uses.
    func publish() {
        for g in active {
            for j in 0..<dimension { transposed[j * lanes + g] = prototypes[g * dimension + j] }
            servingStrength[g] = weight[g] * confidence[g]
        }
        servingAny = !active.isEmpty
        publications &+= 1
    }

    deinit {
        prototypes.deallocate()
        transposed.deallocate()
        servingStrength.deallocate()
    }

    /// The largest bonus any gate can ever give, in bits.
    var maximumBonus: Float { count == 0 ? 0 : (weight.max() ?? 0) }

    /// Prototypes, `count × dimension` (zero rows for gates never used).
    var prototypeValues: [Float] { Array(UnsafeBufferPointer(start: prototypes, count: count * dimension)) }
    var confidences: [Float] { confidence }

    @inline(__always)
    private func cosine(_ g: Int, _ f: UnsafePointer<Float>) -> Float {
        let p = prototypes + g * dimension
        var dot: Float = 0
        for j in 0..<dimension { dot += p[j] * f[j] }
        return dot
    }

    /// Bonus in bits for a feature row (0 when no gate is active or the row is zero).
    func bonus(_ f: UnsafePointer<Float>) -> Float {
        guard servingAny else { return 0 }
        let raw = UnsafeRawPointer(transposed)
        let strength = UnsafeRawPointer(servingStrength)
        var best = SIMD8<Float>()
        var g = 0
        while g < lanes {
            var dot = SIMD8<Float>()
            for j in 0..<dimension {
                let column = raw.loadUnaligned(fromByteOffset: (j * lanes + g) * 4, as: SIMD8<Float>.self)
                dot += column * SIMD8(repeating: f[j])  // not addingProduct: without -mfma it is a libm call per lane
            }
            let z = (dot - SIMD8(repeating: Self.threshold)) / SIMD8(repeating: Self.temperature)
            let magnitude = z.replacing(with: -z, where: z .< 0)
            let open = SIMD8<Float>(repeating: 0.5) + 0.5 * z / (SIMD8(repeating: 1) + magnitude)
            let value = strength.loadUnaligned(fromByteOffset: g * 4, as: SIMD8<Float>.self) * open
            best = pointwiseMax(best, value)
            g += 8
        }
        return best.max()
    }

    /// Moves the gates toward the chunk's champions: feature rows of distinct champion ids,
    /// strongest first, with how many champions each stands for.
    func learn(champions rows: [(row: UnsafePointer<Float>, weight: Int)]) {
        var sums = [Float](repeating: 0, count: count * dimension)
        var attracted = [Int](repeating: 0, count: count)
        for (f, n) in rows.prefix(Self.learnLimit) {
            var zero = true
            for j in 0..<dimension where f[j] != 0 { zero = false; break }
            if zero { continue }
            var g = -1, best = -Float.infinity
            for a in active {
                let c = cosine(a, f)
                if c > best { best = c; g = a }
            }
            if g < 0 || best < Self.threshold {
                // A new kind of champion: it becomes a gate, weak until confirmed.
                guard active.count < count else { continue }
                g = active.count
                setPrototype(g, f)
                active.append(g)
            }
            attracted[g] += n
            for j in 0..<dimension { sums[g * dimension + j] += Float(n) * f[j] }
        }
        for g in active where !fixed[g] {
            confidence[g] = Self.decay * confidence[g] + (1 - Self.decay) * (attracted[g] > 0 ? 1 : 0)
            guard attracted[g] > 0 else { continue }
            let inv = 1 / Float(attracted[g])
            var row = [Float](repeating: 0, count: dimension)
            for j in 0..<dimension {
                row[j] = Self.decay * prototypes[g * dimension + j] + (1 - Self.decay) * sums[g * dimension + j] * inv
            }
            row.withUnsafeBufferPointer { setPrototype(g, $0.baseAddress!) }
        }
    }

    private func setPrototype(_ g: Int, _ row: UnsafePointer<Float>) {
        var n: Float = 0
        for j in 0..<dimension { n += row[j] * row[j] }
        n = n.squareRoot()
        for j in 0..<dimension { prototypes[g * dimension + j] = n > 0 ? row[j] / n : 0 }
    }

    private static func norm(_ row: [Float]) -> Float {
        row.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }
}
