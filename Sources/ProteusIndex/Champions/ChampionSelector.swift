#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A champion candidate packed for sorting: ascending keys are `RankOrder` (score
/// descending, then position ascending), so a plain integer sort gives the champion order.
struct ChampionKey {
    @inline(__always)
    static func make(score: Float, position: Int32) -> UInt64 {
        let bits = score.bitPattern
        // Order-preserving map of floats to unsigned integers, then inverted for descending.
        let ordered = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return UInt64(~ordered) << 32 | UInt64(UInt32(bitPattern: position))
    }

    @inline(__always)
    static func score(_ key: UInt64) -> Float {
        let ordered = ~UInt32(truncatingIfNeeded: key >> 32)
        return Float(bitPattern: ordered & 0x8000_0000 != 0 ? ordered & 0x7FFF_FFFF : ~ordered)
    }

    @inline(__always)
    static func position(_ key: UInt64) -> Int { Int(UInt32(truncatingIfNeeded: key)) }
}

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
    private let sorter = RadixSorter()

    init(perChunk: Int, topP: Double) {
        self.perChunk = perChunk
        self.topP = topP
    }

    /// Sorts `keys` (see `ChampionKey`) and returns how many of the first are champions.
    func select(_ keys: UnsafeMutableBufferPointer<UInt64>) -> Int {
        sorter.sort(keys)
        let m = min(perChunk, keys.count)
        guard m > 0, topP < 1 else { return m }
        let best = Double(ChampionKey.score(keys[0]))
        var total = 0.0
        for i in 0..<m { total += exp2((Double(ChampionKey.score(keys[i])) - best) / Self.temperature) }
        var cumulative = 0.0
        for i in 0..<m {
            cumulative += exp2((Double(ChampionKey.score(keys[i])) - best) / Self.temperature)
            if cumulative >= topP * total { return i + 1 }
        }
        return m
    }
}

/// LSD radix sort of 64-bit keys, 8-bit digits; digits equal in every key (the high bytes of
/// chunk positions, often score exponents) are skipped. Several times faster than a
/// comparison sort on the few thousand keys of a chunk. Owns its scratch memory, which grows
/// to the largest input seen.
final class RadixSorter {
    private var scratch: UnsafeMutablePointer<UInt64>
    private var capacity: Int
    private let counts: UnsafeMutablePointer<Int>

    init(capacity: Int = 8_192) {
        self.capacity = max(1, capacity)
        scratch = .allocate(capacity: self.capacity)
        counts = .allocate(capacity: 8 * 256)
    }

    deinit {
        scratch.deallocate()
        counts.deallocate()
    }

    func sort(_ keys: UnsafeMutableBufferPointer<UInt64>) {
        let n = keys.count
        guard n > 1, let base = keys.baseAddress else { return }
        if capacity < n {
            scratch.deallocate()
            capacity = n
            scratch = .allocate(capacity: n)
        }
        let c = counts
        c.initialize(repeating: 0, count: 8 * 256)
        for i in 0..<n {
            let k = base[i]
            for d in 0..<8 { c[d * 256 + Int((k >> UInt64(8 * d)) & 255)] += 1 }
        }
        var source = base, target = scratch
        for d in 0..<8 {
            let digit = c + d * 256
            if digit[Int((source[0] >> UInt64(8 * d)) & 255)] == n { continue }
            var offset = 0
            for b in 0..<256 { let x = digit[b]; digit[b] = offset; offset += x }
            for i in 0..<n {
                let k = source[i]
                let b = Int((k >> UInt64(8 * d)) & 255)
                target[digit[b]] = k
                digit[b] += 1
            }
            swap(&source, &target)
        }
        if source != base { base.update(from: source, count: n) }
    }
}
