/// XXH64 (xxHash, 64-bit), bit-exact with the reference `XXH64()` of libxxhash.
///
/// Used for `.phb` section checksums and source fingerprints. One-shot with `hash(_:seed:)`,
/// or streaming with `update(_:)` / `digest()` so a writer can checksum bytes as it emits
/// them instead of re-reading the file (tantivy computes its footer checksum the same way).
public struct XXH64: Sendable {
    static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    private let seed: UInt64
    private var v1: UInt64, v2: UInt64, v3: UInt64, v4: UInt64
    private var totalLength: UInt64 = 0
    /// Bytes not yet folded into the four lanes (fewer than 32).
    private var pending: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var pendingCount = 0

    /// A streaming hasher; feed it with `update` and read the result with `digest`.
    public init(seed: UInt64 = 0) {
        self.seed = seed
        v1 = seed &+ XXH64.prime1 &+ XXH64.prime2
        v2 = seed &+ XXH64.prime2
        v3 = seed
        v4 = seed &- XXH64.prime1
    }

    /// The XXH64 of `bytes` in one call.
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        var h = XXH64(seed: seed)
        h.update(bytes)
        return h.digest()
    }

    /// The XXH64 of an array's bytes.
    public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        var a = acc &+ input &* prime2
        a = (a << 31) | (a >> 33)
        return a &* prime1
    }

    @inline(__always) static func merge(_ acc: UInt64, _ value: UInt64) -> UInt64 {
        let a = acc ^ round(0, value)
        return a &* prime1 &+ prime4
    }

    /// Adds bytes to the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        totalLength &+= UInt64(remaining)
        if pendingCount > 0 {
            let take = min(32 - pendingCount, remaining)
            withUnsafeMutableBytes(of: &pending) { buf in
                (buf.baseAddress! + pendingCount).copyMemory(from: p, byteCount: take)
            }
            pendingCount += take
            p += take
            remaining -= take
            if pendingCount < 32 { return }
            let lanes = pending
            consumeStripe(lanes.0.littleEndian, lanes.1.littleEndian, lanes.2.littleEndian, lanes.3.littleEndian)
            pendingCount = 0
        }
        // Local copies keep the four lanes in registers through the hot loop.
        var a = v1, b = v2, c = v3, d = v4
        while remaining >= 32 {
            a = XXH64.round(a, UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)))
            b = XXH64.round(b, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            c = XXH64.round(c, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
            d = XXH64.round(d, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
            p += 32
            remaining -= 32
        }
        v1 = a; v2 = b; v3 = c; v4 = d
        if remaining > 0 {
            withUnsafeMutableBytes(of: &pending) { buf in
                buf.baseAddress!.copyMemory(from: p, byteCount: remaining)
            }
            pendingCount = remaining
        }
    }

    /// Adds an array's bytes to the hash.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    private mutating func consumeStripe(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) {
        v1 = XXH64.round(v1, a)
        v2 = XXH64.round(v2, b)
        v3 = XXH64.round(v3, c)
        v4 = XXH64.round(v4, d)
    }

    /// The hash of everything added so far (the hasher can keep being updated afterwards).
    public func digest() -> UInt64 {
        var h: UInt64
        if totalLength >= 32 {
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = XXH64.merge(h, v1)
            h = XXH64.merge(h, v2)
            h = XXH64.merge(h, v3)
            h = XXH64.merge(h, v4)
        } else {
            h = seed &+ XXH64.prime5
        }
        h &+= totalLength
        var tail = pending
        let count = pendingCount
        return withUnsafeBytes(of: &tail) { buf -> UInt64 in
            var p = buf.baseAddress!
            var remaining = count
            while remaining >= 8 {
                h ^= XXH64.round(0, UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)))
                h = rotl(h, 27) &* XXH64.prime1 &+ XXH64.prime4
                p += 8; remaining -= 8
            }
            if remaining >= 4 {
                h ^= UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))) &* XXH64.prime1
                h = rotl(h, 23) &* XXH64.prime2 &+ XXH64.prime3
                p += 4; remaining -= 4
            }
            while remaining > 0 {
                h ^= UInt64(p.load(as: UInt8.self)) &* XXH64.prime5
                h = rotl(h, 11) &* XXH64.prime1
                p += 1; remaining -= 1
            }
            h ^= h >> 33
            h &*= XXH64.prime2
            h ^= h >> 29
            h &*= XXH64.prime3
            h ^= h >> 32
            return h
        }
    }
}

@inline(__always) private func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
