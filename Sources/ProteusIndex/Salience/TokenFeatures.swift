/// An external token-embedding matrix (`--embeddings`), row `i` describing token id `i`.
public struct TokenEmbeddings: Sendable {
    /// Number of rows (token ids covered).
    public var rows: Int
    /// Length of each row.
    public var dimension: Int
    /// `rows × dimension` values, row-major.
    public var values: [Float]
    /// Recorded as `BuildParameters.featureSource`, e.g. "embeddings:glove.npy:<sha256>".
    public var label: String

    public init(rows: Int, dimension: Int, values: [Float], label: String) {
        self.rows = rows
        self.dimension = dimension
        self.values = values
        self.label = label
    }
}

/// Unit-length token feature vectors that the salience gates compare, stored as int8 rows with
/// one scale each (the form the index keeps), plus the dequantized floats the build uses, so
/// build and query see exactly the same vectors.
struct TokenFeatures {
    let dimension: Int
    /// Rows: `vocabularySize + 1` (the last is the overflow id, a zero vector).
    let rowCount: Int
    let quantized: [Int8]
    let scales: [Float]
    /// `quantized * scale / 127`, row-major.
    let values: [Float]

    /// Quantizes unit rows (`rowCount × dimension`).
    init(rows: [Float], rowCount: Int, dimension: Int) {
        self.dimension = dimension
        self.rowCount = rowCount
        var q = [Int8](repeating: 0, count: rows.count)
        var s = [Float](repeating: 0, count: rowCount)
        var v = [Float](repeating: 0, count: rows.count)
        for r in 0..<rowCount {
            let base = r * dimension
            var peak: Float = 0
            for j in 0..<dimension { peak = max(peak, abs(rows[base + j])) }
            s[r] = peak
            guard peak > 0 else { continue }
            for j in 0..<dimension {
                let code = (rows[base + j] / peak * 127).rounded()
                q[base + j] = Int8(code)
                v[base + j] = code * peak / 127
            }
        }
        quantized = q
        scales = s
        values = v
    }

    /// Features restored from their stored form (a `.dna` file): the same floats as the
    /// build that quantized them, computed the same way.
    init(quantized q: [Int8], scales s: [Float], rowCount: Int, dimension: Int) {
        self.dimension = dimension
        self.rowCount = rowCount
        var v = [Float](repeating: 0, count: q.count)
        for r in 0..<rowCount where s[r] > 0 {
            let peak = s[r]
            for j in (r * dimension)..<((r + 1) * dimension) { v[j] = Float(q[j]) * peak / 127 }
        }
        quantized = q
        scales = s
        values = v
    }

    /// Random indexing over the statistics sample: each id's vector is the sum of the fixed
    /// pseudo-random ±1 vectors of its neighbours within ±2, normalized, then centered (so
    /// the common "every token looks like this" direction does not make all tokens similar).
    /// Memory is `vocabulary × dimension` floats whatever the sample size. Ids never seen get
    /// their own random vector: distinct, nearly orthogonal to everything else.
    ///
    /// Runs on up to `threads` threads with one accumulator each: the sums are of ±1, exact
    /// in Float up to 2^24 (4 neighbours × `sampleLimit` tokens at most), so the merged result
    /// is the same for any thread count.
    static func learn(source: TokenSource, sample: StatisticsSample, vocabularySize: Int,
                      dimension d: Int, threads: Int = 1) throws -> TokenFeatures {
        let rowCount = vocabularySize + 1
        final class Accumulator {
            let sums: UnsafeMutablePointer<Float>
            let seen: UnsafeMutablePointer<Bool>
            let ring: UnsafeMutablePointer<Float>   // random vectors of the last five tokens
            let size: Int, rows: Int
            init(rows: Int, dimension d: Int) {
                self.rows = rows
                size = rows * d
                sums = .allocate(capacity: size)
                sums.initialize(repeating: 0, count: size)
                seen = .allocate(capacity: rows)
                seen.initialize(repeating: false, count: rows)
                ring = .allocate(capacity: 5 * d)
            }
            deinit {
                sums.deallocate()
                seen.deallocate()
                ring.deallocate()
            }
        }
        let top = UInt32(vocabularySize)
        let parts = try scanSample(featureBlocks(of: sample), source: source, threads: threads,
                                   makeState: { Accumulator(rows: rowCount, dimension: d) }) { part, tokens in
            guard tokens.count >= 5 else { return }
            let acc = part.sums, seen = part.seen, ring = part.ring
            for i in 0..<4 { randomSigns(id: tokens[i], into: ring + i * d, dimension: d) }
            for i in 2..<(tokens.count - 2) {
                randomSigns(id: tokens[i + 2], into: ring + ((i + 2) % 5) * d, dimension: d)
                let id = Int(min(tokens[i], top))
                let row = acc + id * d
                let a = ring + ((i + 3) % 5) * d, b = ring + ((i + 4) % 5) * d
                let c = ring + ((i + 1) % 5) * d, e = ring + ((i + 2) % 5) * d
                for j in 0..<d { row[j] += (a[j] + b[j]) + (c[j] + e[j]) }
                seen[id] = true
            }
        }
        var sums = [Float](repeating: 0, count: rowCount * d)
        var seen = [Bool](repeating: false, count: rowCount)
        for part in parts {
            for k in 0..<part.size { sums[k] += part.sums[k] }
            for r in 0..<rowCount where part.seen[r] { seen[r] = true }
        }
        seen[vocabularySize] = false
        var rows = sums
        for r in 0..<rowCount where seen[r] { normalize(&rows, row: r, dimension: d) }
        center(&rows, seen: seen, dimension: d)
        for r in 0..<vocabularySize where !seen[r] {
            randomSigns(id: UInt32(r), into: &rows, at: r * d, dimension: d)
            normalize(&rows, row: r, dimension: d)
        }
        for j in 0..<d { rows[vocabularySize * d + j] = 0 }
        return TokenFeatures(rows: rows, rowCount: rowCount, dimension: d)
    }

    /// Features from an external matrix: rows centered and normalized; ids past its rows get
    /// their own random vector as in `learn`.
    static func from(_ embeddings: TokenEmbeddings, vocabularySize: Int) -> TokenFeatures {
        let d = embeddings.dimension
        let rowCount = vocabularySize + 1
        var rows = [Float](repeating: 0, count: rowCount * d)
        var seen = [Bool](repeating: false, count: rowCount)
        for r in 0..<min(embeddings.rows, vocabularySize) {
            for j in 0..<d { rows[r * d + j] = embeddings.values[r * d + j] }
            seen[r] = true
        }
        center(&rows, seen: seen, dimension: d)
        for r in 0..<vocabularySize {
            if !seen[r] { randomSigns(id: UInt32(r), into: &rows, at: r * d, dimension: d) }
            normalize(&rows, row: r, dimension: d)
        }
        return TokenFeatures(rows: rows, rowCount: rowCount, dimension: d)
    }

    private static func center(_ rows: inout [Float], seen: [Bool], dimension d: Int) {
        var mean = [Float](repeating: 0, count: d)
        var n: Float = 0
        for r in 0..<seen.count where seen[r] {
            n += 1
            for j in 0..<d { mean[j] += rows[r * d + j] }
        }
        guard n > 0 else { return }
        for r in 0..<seen.count where seen[r] {
            for j in 0..<d { rows[r * d + j] -= mean[j] / n }
            normalize(&rows, row: r, dimension: d)
        }
    }

    private static func normalize(_ rows: inout [Float], row r: Int, dimension d: Int) {
        var norm: Float = 0
        for j in 0..<d { norm += rows[r * d + j] * rows[r * d + j] }
        guard norm > 0 else { return }
        let inv = 1 / norm.squareRoot()
        for j in 0..<d { rows[r * d + j] *= inv }
    }

    /// Features need far fewer tokens than unigram counts: at most this many, taken as
    /// evenly spaced blocks of the statistics sample.
    static let sampleLimit = 4_194_304

    static func featureBlocks(of sample: StatisticsSample) -> [(start: UInt64, count: Int)] {
        let stride = max(1, (sample.tokenCount + sampleLimit - 1) / sampleLimit)
        return sample.blocks.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
    }

    /// ±1 patterns of every byte, eight lanes each: the sign vector of a 64-bit hash is eight
    /// table copies instead of 64 bit extractions.
    private static let byteSigns: [SIMD8<Float>] = (0..<256).map { byte in
        var v = SIMD8<Float>()
        for k in 0..<8 { v[k] = (byte >> k) & 1 == 1 ? 1 : -1 }
        return v
    }

    /// The fixed ±1 vector of `id` (SplitMix64 of the id: no table, same on every machine).
    @inline(__always)
    static func randomSigns(id: UInt32, into out: UnsafeMutablePointer<Float>, dimension d: Int) {
        var state = UInt64(id) &* 0x9E37_79B9_7F4A_7C15
        byteSigns.withUnsafeBufferPointer { table in
            var j = 0
            while j < d {
                var bits = splitMix(&state)
                for _ in 0..<8 where j < d {
                    let v = table[Int(bits & 255)]
                    if d - j >= 8 {
                        UnsafeMutableRawPointer(out + j).storeBytes(of: v, as: SIMD8<Float>.self)
                    } else {
                        for k in 0..<(d - j) { out[j + k] = v[k] }
                    }
                    bits >>= 8
                    j += 8
                }
            }
        }
    }

    private static func randomSigns(id: UInt32, into rows: inout [Float], at base: Int, dimension d: Int) {
        rows.withUnsafeMutableBufferPointer { randomSigns(id: id, into: $0.baseAddress! + base, dimension: d) }
    }

    @inline(__always)
    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
