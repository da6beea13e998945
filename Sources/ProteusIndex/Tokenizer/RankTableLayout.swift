import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The serialized form of a `RankTable`, version 1. All integers little-endian.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | magic `PRXRANKS` |
/// | 8 | 4 | version u32 = 1 |
/// | 12 | 4 | count u32: highest rank + 1 |
/// | 16 | 4 | tokenCount u32: ranks in the hash table (every rank that has bytes, but in a table focused on a few texts) |
/// | 20 | 4 | slotCount u32: power of two, > tokenCount |
/// | 24 | 4 | byteCount u32: token bytes in total |
/// | 28 | 4 | maxProbes u32: longest probe sequence of any stored token |
/// | 32 | 4 × (count + 1) | offsets u32: bytes of rank r are `bytes[offsets[r] ..< offsets[r+1]]` |
/// | align 8 | 16 × slotCount | slots: prefix u64, rank u32 (0xFFFFFFFF = empty), length u32 (`RankSlot`) |
/// | after slots | byteCount | token bytes, then zero padding to a multiple of 8 |
///
/// The home slot of a key is `key(…).hash & (slotCount - 1)`, with linear probing; `key`
/// below is part of the format.
struct RankTableLayout {
    static let magic: [UInt8] = Array("PRXRANKS".utf8)
    static let version: UInt32 = 1
    static let headerSize = 32

    let count: Int
    let tokenCount: Int
    let slotCount: Int
    let byteCount: Int
    let maxProbes: Int
    var offsetsStart: Int { RankTableLayout.headerSize }
    var slotsStart: Int { (offsetsStart + 4 * (count + 1) + 7) & ~7 }
    var bytesStart: Int { slotsStart + MemoryLayout<RankSlot>.stride * slotCount }
    var totalSize: Int { (bytesStart + byteCount + 7) & ~7 }

    init(count: Int, tokenCount: Int, slotCount: Int, byteCount: Int, maxProbes: Int) {
        self.count = count
        self.tokenCount = tokenCount
        self.slotCount = slotCount
        self.byteCount = byteCount
        self.maxProbes = maxProbes
    }

    /// Reads and checks the header of `blob` against its size: constant time.
    init(validating blob: UnsafeRawBufferPointer, path: String?) throws {
        func bad(_ message: String) -> ProteusError { ProteusError(.dataError, path: path, "rank table: " + message) }
        guard blob.count >= RankTableLayout.headerSize, let base = blob.baseAddress else {
            throw bad("\(blob.count) bytes is too small for the \(RankTableLayout.headerSize)-byte header")
        }
        guard Array(blob[0..<8]) == RankTableLayout.magic else { throw bad("bad magic, not a rank table") }
        guard Int(bitPattern: base) & 7 == 0 else { throw bad("not 8-byte aligned in memory") }
        func field(_ offset: Int) -> Int { Int(blob.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
        guard UInt32(field(8)) == RankTableLayout.version else {
            throw bad("unsupported version \(field(8)) (this build reads version \(RankTableLayout.version))")
        }
        self.init(count: field(12), tokenCount: field(16), slotCount: field(20), byteCount: field(24), maxProbes: field(28))
        guard count > 0, tokenCount <= count, count < 1 << 28 else {
            throw bad("inconsistent counts (count \(count), tokens \(tokenCount))")
        }
        guard slotCount > tokenCount, slotCount & (slotCount - 1) == 0, slotCount <= 1 << 30 else {
            throw bad("slot count \(slotCount) is not a power of two above the token count \(tokenCount)")
        }
        guard maxProbes >= 1, maxProbes <= slotCount else { throw bad("probe bound \(maxProbes) out of range") }
        guard totalSize == blob.count else {
            throw bad("header describes \(totalSize) bytes but the table has \(blob.count)")
        }
        let first = field(offsetsStart), last = field(offsetsStart + 4 * count)
        guard first == 0, last == byteCount else {
            throw bad("offsets run from \(first) to \(last), expected 0 to \(byteCount)")
        }
    }

    /// Lays out `tokens` (bytes by rank, empty = gap) into a new blob.
    static func build(_ tokens: [[UInt8]]) throws -> OwnedBlob {
        guard tokens.count < 1 << 28, !tokens.isEmpty else { throw RankTableBuildError.tooLarge }
        var offsets = [UInt32](repeating: 0, count: tokens.count + 1)
        var at = 0
        for (rank, token) in tokens.enumerated() {
            guard at < Int(UInt32.max) - token.count else { throw RankTableBuildError.tooLarge }
            offsets[rank] = UInt32(at)
            at += token.count
        }
        offsets[tokens.count] = UInt32(at)
        let flat = tokens.flatMap { $0 }
        return try flat.withUnsafeBytes { bytes in
            try offsets.withUnsafeBufferPointer { try build(bytes: bytes, offsets: $0.baseAddress!, count: tokens.count) }
        }
    }

    /// The same from every rank's bytes back to back and where each rank's start in them
    /// (`count + 1` offsets, the last the end; equal offsets: a gap).
    static func build(bytes flat: UnsafeRawBufferPointer, offsets from: UnsafePointer<UInt32>, count: Int) throws -> OwnedBlob {
        let byteCount = flat.count
        guard byteCount < Int(UInt32.max), count < 1 << 28, count > 0, Int(from[count]) == byteCount
        else { throw RankTableBuildError.tooLarge }
        let tokenCount = (0..<count).reduce(0) { $0 + (from[$1] < from[$1 + 1] ? 1 : 0) }
        let slotCount = Self.slotCount(holding: tokenCount)
        var layout = RankTableLayout(count: count, tokenCount: tokenCount, slotCount: slotCount,
                                     byteCount: byteCount, maxProbes: 1)
        let blob = OwnedBlob(byteCount: layout.totalSize)
        let base = blob.memory.baseAddress!
        let offsets = (base + layout.offsetsStart).assumingMemoryBound(to: UInt32.self)
        let slots = (base + layout.slotsStart).bindMemory(to: RankSlot.self, capacity: slotCount)
        let bytes = (base + layout.bytesStart).assumingMemoryBound(to: UInt8.self)
        offsets.update(from: from, count: count + 1)
        if byteCount > 0 { UnsafeMutableRawPointer(bytes).copyMemory(from: flat.baseAddress!, byteCount: byteCount) }
        let (kept, maxProbes) = try fill(slots, slotCount: slotCount, with: 0..<count, offsets: offsets, bytes: bytes)
        layout = RankTableLayout(count: count, tokenCount: kept, slotCount: slotCount, byteCount: byteCount, maxProbes: maxProbes)
        layout.writeHeader(into: base)
        return blob
    }

    /// The slots for `tokenCount` tokens: a power of two, the table at most half full (fast
    /// lookups while encoding, and few probes while building; three quarters full took about
    /// twice as long to fill).
    static func slotCount(holding tokenCount: Int) -> Int {
        var slotCount = 16
        while slotCount < 2 * tokenCount { slotCount <<= 1 }
        return slotCount
    }

    /// Writes the header fields of this layout at `base`.
    func writeHeader(into base: UnsafeMutableRawPointer) {
        base.copyMemory(from: Self.magic, byteCount: 8)
        for (offset, value) in [(8, Int(Self.version)), (12, count), (16, tokenCount), (20, slotCount),
                                (24, byteCount), (28, maxProbes)] {
            base.storeBytes(of: UInt32(value).littleEndian, toByteOffset: offset, as: UInt32.self)
        }
    }

    /// Empties `slots` and puts every rank of `ranks` that has bytes in them, in that order
    /// (which decides each slot); returns how many were put and the longest probe sequence.
    /// Two ranks with the same bytes are refused.
    static func fill<S: Sequence<Int>>(_ slots: UnsafeMutablePointer<RankSlot>, slotCount: Int, with ranks: S,
                                       offsets: UnsafePointer<UInt32>, bytes: UnsafePointer<UInt8>) throws -> (kept: Int, maxProbes: Int) {
        slots.initialize(repeating: RankSlot(prefix: 0, rank: .max, length: 0), count: slotCount)
        var kept = 0, maxProbes = 1
        for rank in ranks {
            let start = Int(offsets[rank]), length = Int(offsets[rank + 1]) - start
            guard length > 0 else { continue }
            let (prefix, hash) = key(UnsafeRawPointer(bytes + start), length)
            var i = Int(truncatingIfNeeded: hash) & (slotCount - 1)
            var probes = 1
            while slots[i].rank != .max {
                let other = Int(slots[i].rank)
                let from = Int(offsets[other]), to = Int(offsets[other + 1])
                if to - from == length && memcmp(bytes + from, bytes + start, length) == 0 {
                    throw RankTableBuildError.duplicateBytes(rank: UInt32(rank), original: UInt32(other))
                }
                i = (i + 1) & (slotCount - 1)
                probes += 1
            }
            slots[i] = RankSlot(prefix: prefix, rank: UInt32(rank), length: UInt32(length))
            kept += 1
            maxProbes = max(maxProbes, probes)
        }
        return (kept, maxProbes)
    }

    /// The ranks below `count` whose bytes are among `keys`, in rank order; two threads share
    /// them when there are many (every rank of a focused table is tested).
    static func ranks(among keys: RankKeySet, offsets: UnsafePointer<UInt32>, bytes: UnsafePointer<UInt8>, count: Int) -> [Int] {
        let lanes = count >= 1 << 14 ? 2 : 1
        var found = [[Int]](repeating: [], count: lanes)
        found.withUnsafeMutableBufferPointer { found in
            func scan(_ lane: Int) {
                var mine: [Int] = []
                for rank in (count * lane / lanes)..<(count * (lane + 1) / lanes) {
                    let start = Int(offsets[rank]), length = Int(offsets[rank + 1]) - start
                    if length > 0 && keys.holds(bytes + start, length) { mine.append(rank) }
                }
                found[lane] = mine
            }
            if lanes == 1 { scan(0) } else { DispatchQueue.concurrentPerform(iterations: lanes, execute: scan) }
        }
        return found.flatMap { $0 }
    }

    /// The key of `n` bytes at `p` as version 1 defines it: `prefix` is the first min(n, 8)
    /// bytes as a little-endian u64 (zero-padded), `hash` mixes the prefix, the length and
    /// the remaining bytes in u64 words (an overlapping load for the tail). Never reads
    /// outside the `n` bytes. Changing it requires a new format version.
    @inline(__always)
    static func key(_ p: UnsafeRawPointer, _ n: Int) -> (prefix: UInt64, hash: UInt64) {
        let k: UInt64 = 0xff51_afd7_ed55_8ccd
        let prefix: UInt64
        if n >= 8 {
            prefix = p.loadUnaligned(as: UInt64.self)
        } else if n >= 4 {
            prefix = UInt64(p.loadUnaligned(as: UInt32.self))
                | (UInt64(p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)) >> UInt64(8 * (8 - n))) << 32
        } else {
            let b = p.assumingMemoryBound(to: UInt8.self)
            prefix = UInt64(b[0]) | (n > 1 ? UInt64(b[1]) << 8 : 0) | (n > 2 ? UInt64(b[2]) << 16 : 0)
        }
        var h = (prefix ^ (UInt64(truncatingIfNeeded: n) &* 0x9e37_79b9_7f4a_7c15)) &* k
        if n > 8 {
            var i = 8
            while i + 8 <= n {
                h ^= h >> 32
                h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* k
                i += 8
            }
            let rest = n - i
            if rest > 0 {
                h ^= h >> 32
                h = (h ^ (p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) >> UInt64(8 * (8 - rest)))) &* k
            }
        }
        h ^= h >> 29
        h = h &* 0xc4ce_b9fe_1a85_ec53
        return (prefix, h ^ (h >> 32))
    }
}

/// One hash-table slot: a token's first bytes, length and rank side by side, so that a lookup
/// of a token of up to 8 bytes touches one cache line and nothing else.
struct RankSlot {
    /// First min(length, 8) bytes, little-endian, zero-padded.
    var prefix: UInt64
    /// The rank, or `UInt32.max` for an empty slot.
    var rank: UInt32
    /// Length of the token in bytes.
    var length: UInt32
}
