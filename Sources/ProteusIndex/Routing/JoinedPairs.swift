#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Joined pairs: two adjacent tokens of one word, like "-l" + "agoon" in "sable-lagoon-prime"
/// or "orch" + "ard" in "orchard". The routing tier keeps a small Bloom filter of each
/// window's joined pairs (`PairFilters`), so a question whose key splits into pieces is
/// routed to the windows where its pieces stand together, not to every window that holds
/// them apart (a haystack of lookalike keys holds every piece everywhere).
///
/// A pair is joined when the first token holds a letter or a digit and ends in one, and the
/// second holds one and does not start with whitespace. The rule reads only the tokens'
/// bytes, so the build (a table per id) and the query (`TokenShapes`) agree on it.
enum JoinedPairs {
    /// Bits of a token's join flags.
    static let canLead: UInt8 = 1
    static let canFollow: UInt8 = 2

    /// The join flags of a token with these bytes.
    static func flags<C: Collection>(ofTokenBytes bytes: C) -> UInt8 where C.Element == UInt8 {
        guard let first = bytes.first else { return 0 }
        func isWordByte(_ b: UInt8) -> Bool { b >= 0x80 || (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) }
        guard bytes.contains(where: isWordByte) else { return 0 }
        var f: UInt8 = 0
        var last = first
        for b in bytes { last = b }
        if isWordByte(last) { f |= canLead }
        if !(first == 0x20 || first == 0x0A || first == 0x09 || first == 0x0D) { f |= canFollow }
        return f
    }

    /// Whether `a` then `b` is a joined pair, by their flags.
    @inline(__always)
    static func joined(_ a: UInt8, _ b: UInt8) -> Bool { a & canLead != 0 && b & canFollow != 0 }

    /// The 64-bit hash of the pair (a, b) the filters store (a fixed mix, so every build and
    /// every query computes the same).
    @inline(__always)
    static func hash(_ a: UInt32, _ b: UInt32) -> UInt64 {
        var x = UInt64(a) << 32 | UInt64(b)
        x ^= x >> 33
        x &*= 0xff51afd7ed558ccd
        x ^= x >> 33
        x &*= 0xc4ceb9fe1a85ec53
        x ^= x >> 33
        return x
    }

    /// Calls `body` with the hash of every joined pair of `tokens` (ids at or past the
    /// flags' end join nothing).
    @inline(__always)
    static func forEachPair(in tokens: UnsafeBufferPointer<UInt32>, flags: UnsafeBufferPointer<UInt8>, _ body: (UInt64) -> Void) {
        guard tokens.count >= 2 else { return }
        let n = UInt32(flags.count)
        var previous = tokens[0]
        var previousFlags = previous < n ? flags[Int(previous)] : 0
        for i in 1..<tokens.count {
            let t = tokens[i]
            let f = t < n ? flags[Int(t)] : 0
            if joined(previousFlags, f) { body(hash(previous, t)) }
            previous = t
            previousFlags = f
        }
    }

    // MARK: The filter of one window

    /// Filter bits per distinct pair, and bits set per pair: a false positive rate of about
    /// 15%, at about 0.04 bytes per token of prose (1,250 distinct joined pairs per 16,384
    /// tokens of the evaluation's real text). A key of three pairs passes a window lacking
    /// them all in 0.3% of windows.
    static let bitsPerPair = 4
    static let probes = 3

    /// Words of a filter for `pairs` distinct pairs (at least one).
    static func words(forPairs pairs: Int) -> Int { max(1, (pairs * bitsPerPair + 63) / 64) }

    /// The bit positions of `hash` in a filter of `bits` bits (double hashing; a multiply
    /// maps each 32-bit probe onto the filter, which needs no power of two).
    @inline(__always)
    static func forEachBit(of hash: UInt64, bits: Int, _ body: (Int) -> Void) {
        let h1 = UInt32(truncatingIfNeeded: hash), h2 = UInt32(truncatingIfNeeded: hash >> 32) | 1
        for k in 0..<UInt32(probes) {
            let probe = h1 &+ k &* h2
            body(Int((UInt64(probe) &* UInt64(bits)) >> 32))
        }
    }

    static func insert(_ hash: UInt64, into filter: UnsafeMutableBufferPointer<UInt64>) {
        forEachBit(of: hash, bits: filter.count * 64) { filter[$0 >> 6] |= 1 << UInt64($0 & 63) }
    }

    static func mayContain(_ hash: UInt64, in filter: UnsafeBufferPointer<UInt64>) -> Bool {
        guard !filter.isEmpty else { return false }
        var all = true
        forEachBit(of: hash, bits: filter.count * 64) { if filter[$0 >> 6] & (1 << UInt64($0 & 63)) == 0 { all = false } }
        return all
    }
}

/// Makes each window's filter: the joined pairs' hashes are gathered, their distinct count
/// estimated by linear counting on a 64 Kibit bitmap (exact enough to size a filter, and no
/// sort or hash set), and the filter sized and filled. One per scoring thread.
final class JoinedPairCollector {
    let flags: [UInt8]
    private var hashes: [UInt64] = []
    private let seen: UnsafeMutablePointer<UInt64>
    private static let seenBits = 1 << 16

    init(flags: [UInt8]) {
        self.flags = flags
        seen = .allocate(capacity: Self.seenBits / 64)
        seen.initialize(repeating: 0, count: Self.seenBits / 64)
        hashes.reserveCapacity(1 << 15)
    }

    deinit { seen.deallocate() }

    /// Appends the filter of the joined pairs of `tokens` to `out`; returns its word count.
    func filter(of tokens: UnsafeBufferPointer<UInt32>, into out: inout [UInt64]) -> Int {
        hashes.removeAll(keepingCapacity: true)
        flags.withUnsafeBufferPointer { f in JoinedPairs.forEachPair(in: tokens, flags: f) { hashes.append($0) } }
        return Self.append(hashes, seen: seen, into: &out)
    }

    /// The filter of `hashes` (repeats allowed), appended to `out`.
    private static func append(_ hashes: [UInt64], seen: UnsafeMutablePointer<UInt64>, into out: inout [UInt64]) -> Int {
        var set = 0
        for h in hashes {
            let b = Int(h >> 48)
            let mask: UInt64 = 1 << UInt64(b & 63)
            if seen[b >> 6] & mask == 0 { seen[b >> 6] |= mask; set += 1 }
        }
        for h in hashes { seen[Int(h >> 48) >> 6] = 0 }
        // Linear counting: n ≈ -m ln(1 - set/m), rounded; set < m since windows are shorter.
        let m = Double(seenBits)
        let distinct = set >= seenBits ? hashes.count : Int((-m * log(1 - Double(set) / m)).rounded())
        let words = JoinedPairs.words(forPairs: distinct)
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: words))
        out.withUnsafeMutableBufferPointer { all in
            let filter = UnsafeMutableBufferPointer(rebasing: all[start..<(start + words)])
            for h in hashes { JoinedPairs.insert(h, into: filter) }
        }
        return words
    }
}
