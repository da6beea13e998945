#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A champion candidate packed for sorting: ascending keys mean score descending, then
/// position ascending, so a plain integer sort gives the deterministic champion order.
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
struct ChampionSelector {
    static let temperature: Double = 2

    let perChunk: Int
    let topP: Double

    /// Sorts `keys` (see `ChampionKey`) and returns how many of the first are champions.
    func select(_ keys: UnsafeMutableBufferPointer<UInt64>) -> Int {
        var keys = keys
        keys.sort()
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
