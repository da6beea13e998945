/// xxHash (XXH32 and XXH64), bit-exact with the reference C implementation.
///
/// Why here and not from the system libraries: libzstd and liblz4 compile xxHash in with
/// hidden symbols, and Debian's own libxxhash (0.8.1, libxxhash-dev) is slower where it
/// counts. XXH64, best of 15, three runs on the 2-core build machine (swiftc -O): 256 MiB at
/// 11.8-13.9 GB/s here against 9.9-10.3 GB/s through the library; 64 KiB (a 16,384-token
/// frame) at 12.8-14.0 against 10.1-10.5 GB/s; only 64-byte inputs (headers) are faster
/// there, 12.3-13.1 against 13.4-14.3 ms per million. Every token a build reads and
/// every `.tok` frame a reader checks goes through XXH64.
///
/// XXH64 is what the zstd seekable format stores per frame (low 32 bits, seed 0); XXH32 is
/// the LZ4 frame content/header checksum.
/// Loads are unaligned-safe (`loadUnaligned`), the host is little-endian.
public enum XXH32 {
    static let p1: UInt32 = 2_654_435_761
    static let p2: UInt32 = 2_246_822_519
    static let p3: UInt32 = 3_266_489_917
    static let p4: UInt32 = 668_265_263
    static let p5: UInt32 = 374_761_393

    @inline(__always) static func rotl(_ x: UInt32, _ r: UInt32) -> UInt32 { (x << r) | (x >> (32 - r)) }
    @inline(__always) static func round(_ acc: UInt32, _ input: UInt32) -> UInt32 {
        rotl(acc &+ input &* p2, 13) &* p1
    }

    /// The XXH32 digest of `bytes` with `seed`.
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        let n = bytes.count
        var h: UInt32
        var i = 0
        if n >= 16, let base = bytes.baseAddress {
            var v1 = seed &+ p1 &+ p2, v2 = seed &+ p2, v3 = seed, v4 = seed &- p1
            while i + 16 <= n {
                v1 = round(v1, base.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                v2 = round(v2, base.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self))
                v3 = round(v3, base.loadUnaligned(fromByteOffset: i + 8, as: UInt32.self))
                v4 = round(v4, base.loadUnaligned(fromByteOffset: i + 12, as: UInt32.self))
                i += 16
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
        } else {
            h = seed &+ p5
        }
        h = h &+ UInt32(truncatingIfNeeded: n)
        while i + 4 <= n {
            h = rotl(h &+ bytes.baseAddress!.loadUnaligned(fromByteOffset: i, as: UInt32.self) &* p3, 17) &* p4
            i += 4
        }
        while i < n {
            h = rotl(h &+ UInt32(bytes[i]) &* p5, 11) &* p1
            i += 1
        }
        h ^= h >> 15; h = h &* p2
        h ^= h >> 13; h = h &* p3
        h ^= h >> 16
        return h
    }

    /// The XXH32 digest of an array (for headers and tests).
    public static func hash(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }
}

/// XXH64, one-shot (`XXH64.hash`) or streaming (`var h = XXH64(); h.update(...); h.digest()`),
/// so a writer can checksum a frame while it is being filled rather than in a second pass.
public struct XXH64 {
    static let p1: UInt64 = 11_400_714_785_074_694_791
    static let p2: UInt64 = 14_029_467_366_897_019_727
    static let p3: UInt64 = 1_609_587_929_392_839_161
    static let p4: UInt64 = 9_650_029_242_287_828_579
    static let p5: UInt64 = 2_870_177_450_012_600_261

    @inline(__always) static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }
    @inline(__always) static func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 {
        (acc ^ round(0, v)) &* p1 &+ p4
    }

    private let seed: UInt64
    private var v1: UInt64, v2: UInt64, v3: UInt64, v4: UInt64
    private var total: UInt64 = 0
    /// Up to 31 bytes not yet consumed by a 32-byte stripe.
    private var pending: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var pendingCount = 0

    /// A streaming state with `seed`.
    public init(seed: UInt64 = 0) {
        self.seed = seed
        v1 = seed &+ XXH64.p1 &+ XXH64.p2; v2 = seed &+ XXH64.p2; v3 = seed; v4 = seed &- XXH64.p1
    }

    /// Consumes 32-byte stripes from `base[0..<n]`, returns the bytes consumed.
    @inline(__always)
    private static func stripes(_ base: UnsafeRawPointer, _ n: Int,
                                _ a: inout UInt64, _ b: inout UInt64, _ c: inout UInt64, _ d: inout UInt64) -> Int {
        var i = 0
        var v1 = a, v2 = b, v3 = c, v4 = d
        while i + 32 <= n {
            v1 = round(v1, base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            v2 = round(v2, base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
            v3 = round(v3, base.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))
            v4 = round(v4, base.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
            i += 32
        }
        a = v1; b = v2; c = v3; d = v4
        return i
    }

    /// Feeds more bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var src = bytes.baseAddress, bytes.count > 0 else { return }
        var n = bytes.count
        total &+= UInt64(n)
        var a = v1, b = v2, c = v3, d = v4
        var tail = pending
        var count = pendingCount
        withUnsafeMutableBytes(of: &tail) { buf in
            if count > 0 {
                let take = min(32 - count, n)
                (buf.baseAddress! + count).copyMemory(from: src, byteCount: take)
                count += take; src += take; n -= take
                if count < 32 { return }
                _ = XXH64.stripes(UnsafeRawPointer(buf.baseAddress!), 32, &a, &b, &c, &d)
                count = 0
            }
            let done = XXH64.stripes(src, n, &a, &b, &c, &d)
            if done < n {
                buf.baseAddress!.copyMemory(from: src + done, byteCount: n - done)
                count = n - done
            }
        }
        v1 = a; v2 = b; v3 = c; v4 = d
        pending = tail
        pendingCount = count
    }

    /// The digest of everything fed so far (the state can keep being updated).
    public func digest() -> UInt64 {
        var h: UInt64
        if total >= 32 {
            h = XXH64.rotl(v1, 1) &+ XXH64.rotl(v2, 7) &+ XXH64.rotl(v3, 12) &+ XXH64.rotl(v4, 18)
            h = XXH64.merge(h, v1); h = XXH64.merge(h, v2); h = XXH64.merge(h, v3); h = XXH64.merge(h, v4)
        } else {
            h = seed &+ XXH64.p5
        }
        h = h &+ total
        var tail = pending
        return withUnsafeBytes(of: &tail) { XXH64.finalize(h, $0.baseAddress!, pendingCount) }
    }

    @inline(__always)
    static func finalize(_ hash: UInt64, _ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
        var h = hash, i = 0
        while i + 8 <= n {
            h ^= round(0, p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            h = rotl(h, 27) &* p1 &+ p4
            i += 8
        }
        if i + 4 <= n {
            h ^= UInt64(p.loadUnaligned(fromByteOffset: i, as: UInt32.self)) &* p1
            h = rotl(h, 23) &* p2 &+ p3
            i += 4
        }
        while i < n {
            h ^= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) &* p5
            h = rotl(h, 11) &* p1
            i += 1
        }
        h ^= h >> 33; h = h &* p2
        h ^= h >> 29; h = h &* p3
        h ^= h >> 32
        return h
    }

    /// The XXH64 digest of `bytes` with `seed`.
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let n = bytes.count
        guard let base = bytes.baseAddress else { return finalize((seed &+ p5), UnsafeRawPointer(bitPattern: 1)!, 0) }
        var h: UInt64, i = 0
        if n >= 32 {
            var v1 = seed &+ p1 &+ p2, v2 = seed &+ p2, v3 = seed, v4 = seed &- p1
            i = stripes(base, n, &v1, &v2, &v3, &v4)
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = merge(h, v1); h = merge(h, v2); h = merge(h, v3); h = merge(h, v4)
        } else {
            h = seed &+ p5
        }
        return finalize(h &+ UInt64(n), base + i, n - i)
    }

    /// The XXH64 digest of an array (for headers and tables).
    public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }
}
