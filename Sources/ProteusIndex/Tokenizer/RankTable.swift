#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The mergeable ranks of a byte-level BPE: token bytes → rank and rank → token bytes.
///
/// Everything lives in one flat little-endian blob (see `RankTableLayout`): token bytes
/// back to back, `count + 1` offsets into them, and an open-addressing hash table whose
/// slots hold each token's rank, length and first 8 bytes. The same blob is what `serialized()` returns and what
/// `init(serialized:)` uses in place, so a table stored inside a memory-mapped index is
/// ready after a header check: no parsing, no hashing, no allocation. (A table focused on a
/// few texts keeps the same three parts in separate memory: `init(focusedOn:...)`.)
///
/// Lookups never read outside the blob even when it is corrupt (offsets and slots are
/// bounds-checked as they are used); a corrupt blob can only give wrong answers, which the
/// enclosing file's checksum is there to catch.
public final class RankTable: @unchecked Sendable {
    /// Number of rank positions: every rank is below it (highest rank + 1). Ranks without
    /// bytes (gaps) are allowed and decode as absent.
    public let count: Int
    /// Number of ranks that have bytes (in a focused table: that its hash table holds).
    public let tokenCount: Int
    /// Set for a table focused on a few texts: what it can answer, and the whole table.
    let coverage: RankCoverage?
    private let offsets: UnsafePointer<UInt32>
    private let slots: UnsafePointer<RankSlot>
    private let bytes: UnsafePointer<UInt8>
    private let byteCount: UInt32
    private let slotMask: Int
    private let maxProbes: Int
    /// The serialized table, nil for a focused table built in parts (`init(focusedOn:...)`).
    private let blob: UnsafeRawBufferPointer?
    /// Keep the memory alive: an `OwnedBlob` or the caller's mapping, or a focused table's parts.
    private let owners: [AnyObject]

    /// Uses a serialized table in place. `owner` is retained for as long as the table lives
    /// (pass the `MappedFile` the blob points into). `path` names the file in errors.
    /// Validates the header, the section sizes and the first and last offsets only: O(1).
    public convenience init(serialized blob: UnsafeRawBufferPointer, owner: AnyObject?, path: String? = nil) throws {
        try self.init(serialized: blob, owner: owner, path: path, coverage: nil)
    }

    init(serialized blob: UnsafeRawBufferPointer, owner: AnyObject?, path: String? = nil, coverage: RankCoverage?) throws {
        self.coverage = coverage
        let layout = try RankTableLayout(validating: blob, path: path)
        let base = blob.baseAddress!
        self.count = layout.count
        self.tokenCount = layout.tokenCount
        self.offsets = (base + layout.offsetsStart).assumingMemoryBound(to: UInt32.self)
        self.slots = (base + layout.slotsStart).assumingMemoryBound(to: RankSlot.self)
        self.bytes = (base + layout.bytesStart).assumingMemoryBound(to: UInt8.self)
        self.byteCount = UInt32(layout.byteCount)
        self.slotMask = layout.slotCount - 1
        self.maxProbes = layout.maxProbes
        self.blob = blob
        self.owners = owner.map { [$0] } ?? []
    }

    /// A table holding in its hash table only the ranks whose bytes are among `keys` (a
    /// table focused on a few texts, `RankCoverage`), over `count + 1` checked `offsets` into
    /// `bytes` (every rank's), which `owners` keep alive. Nothing is copied, and the hash
    /// table is sized for the ranks it holds. Throws when two of them have the same bytes.
    init(focusedOn keys: RankKeySet, count: Int, offsets offset: UnsafePointer<UInt32>, bytes: UnsafeRawBufferPointer,
         owners: [AnyObject], coverage: RankCoverage) throws {
        let tokenBytes = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let held = RankTableLayout.ranks(among: keys, offsets: offset, bytes: tokenBytes, count: count)
        let slotCount = RankTableLayout.slotCount(holding: held.count)
        let slots = OwnedBlob(byteCount: MemoryLayout<RankSlot>.stride * slotCount)
        let slot = slots.memory.bindMemory(to: RankSlot.self).baseAddress!
        let (kept, maxProbes) = try RankTableLayout.fill(slot, slotCount: slotCount, with: held, offsets: offset, bytes: tokenBytes)
        self.coverage = coverage
        self.count = count
        self.tokenCount = kept
        self.offsets = offset
        self.slots = UnsafePointer(slot)
        self.bytes = tokenBytes
        self.byteCount = UInt32(bytes.count)
        self.slotMask = slotCount - 1
        self.maxProbes = maxProbes
        self.blob = nil
        self.owners = owners + [slots]
    }

    /// Builds a table from token bytes indexed by rank; an empty entry is a gap. Throws
    /// `RankTableBuildError` when two ranks have the same bytes or there are too many bytes.
    public convenience init(tokensByRank tokens: [[UInt8]]) throws {
        let blob = try RankTableLayout.build(tokens)
        try self.init(serialized: blob.bytes, owner: blob)
    }

    /// The flat little-endian blob (`RankTableLayout`), suitable for `init(serialized:owner:)`.
    public func serialized() -> [UInt8] {
        if let blob { return Array(blob) }
        let layout = RankTableLayout(count: count, tokenCount: tokenCount, slotCount: slotMask + 1,
                                     byteCount: Int(byteCount), maxProbes: maxProbes)
        var out = [UInt8](repeating: 0, count: layout.totalSize)
        out.withUnsafeMutableBytes { o in
            let base = o.baseAddress!
            layout.writeHeader(into: base)
            (base + layout.offsetsStart).copyMemory(from: offsets, byteCount: 4 * (count + 1))
            (base + layout.slotsStart).copyMemory(from: slots, byteCount: MemoryLayout<RankSlot>.stride * (slotMask + 1))
            (base + layout.bytesStart).copyMemory(from: bytes, byteCount: Int(byteCount))
        }
        return out
    }

    /// The first byte value that has no single-byte token, nil when every byte has one.
    /// Encoding needs all 256 (tiktoken panics otherwise), so rank tables from a file and
    /// from an index are both refused when this is not nil.
    func firstByteWithoutToken() -> UInt8? {
        for byte in 0..<256 where [UInt8(byte)].withUnsafeBytes({ rank(of: $0) }) == nil { return UInt8(byte) }
        return nil
    }

    /// The rank of `key`, or nil when it is not a token.
    public func rank(of key: UnsafeRawBufferPointer) -> UInt32? {
        guard let p = key.baseAddress, key.count > 0 else { return nil }
        if let coverage, !coverage.keys.holds(p, key.count), let whole = coverage.wholeTable() {
            return whole.rank(of: key)
        }
        let r = rank(p.assumingMemoryBound(to: UInt8.self), key.count)
        return r == .max ? nil : r
    }

    /// The bytes of `rank`, or nil for a gap or a rank out of range. Valid while the table lives.
    public func bytes(ofRank rank: UInt32) -> UnsafeRawBufferPointer? {
        guard Int(rank) < count else { return nil }
        let start = offsets[Int(rank)], end = offsets[Int(rank) + 1]
        guard start < end, end <= byteCount else { return nil }
        return UnsafeRawBufferPointer(start: bytes + Int(start), count: Int(end - start))
    }

    /// Calls `body` with each rank of 1 to `longest` bytes and its bytes, in rank order: one
    /// pass over the offsets (`bytes(ofRank:)` for each of cl100k's 100k ranks took a tenth of
    /// a millisecond more of every query process).
    func forEachRank(ofAtMost longest: Int, _ body: (UInt32, UnsafeRawBufferPointer) -> Void) {
        var start = offsets[0]
        for rank in 0..<count {
            let end = offsets[rank + 1]
            if start < end, Int(end - start) <= longest, end <= byteCount {
                body(UInt32(rank), UnsafeRawBufferPointer(start: bytes + Int(start), count: Int(end - start)))
            }
            start = end
        }
    }

    /// Calls `body` with the rank holding each occurrence of `byte` in the tokens' bytes (a
    /// rank holding it twice is called twice): one memchr pass over the bytes, and the offsets
    /// walked forward alongside, since the occurrences come in order. A binary search per
    /// occurrence missed the cache at every step (0.4 ms of a query process for cl100k's
    /// 3,278 line breaks); calling `bytes(ofRank:)` for every rank cost a millisecond. A
    /// corrupt offset skips the occurrence, never reads outside.
    func forEachRank(holding byte: UInt8, _ body: (Int) -> Void) {
        let n = Int(byteCount)
        var from = 0, rank = 0
        while from < n, let hit = memchr(bytes + from, Int32(byte), n - from) {
            let at = UInt32(UnsafeRawPointer(hit) - UnsafeRawPointer(bytes))
            from = Int(at) + 1
            // The first rank from here whose bytes end past the byte: the one holding it.
            while rank < count && offsets[rank + 1] <= at { rank += 1 }
            if rank < count, offsets[rank] <= at, at < offsets[rank + 1] { body(rank) }
        }
    }

    /// The hot lookup: rank of `n` bytes at `p`, `UInt32.max` when absent. Tokens of up to
    /// 8 bytes are decided from the slot alone; longer ones compare their tail with the
    /// stored bytes.
    @inline(__always)
    func rank(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt32 {
        let (prefix, hash) = RankTableLayout.key(UnsafeRawPointer(p), n)
        var i = Int(truncatingIfNeeded: hash) & slotMask
        var probes = 0
        while probes < maxProbes {
            let slot = slots[i]
            if slot.rank == .max { return .max }
            if slot.prefix == prefix && Int(slot.length) == n && Int(slot.rank) < count {
                if n <= 8 { return slot.rank }
                let start = offsets[Int(slot.rank)], end = offsets[Int(slot.rank) + 1]
                if Int(end &- start) == n && start <= end && end <= byteCount
                    && RankTable.equal(bytes + Int(start) + 8, p + 8, n - 8) {
                    return slot.rank
                }
            }
            i = (i &+ 1) & slotMask
            probes &+= 1
        }
        return .max
    }

    @inline(__always)
    private static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 8 <= n {
            if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < n {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }
}

/// Why a rank table could not be built; the loader turns it into a message with a line number.
public enum RankTableBuildError: Error, Equatable {
    /// `rank` has the same bytes as the earlier `original`.
    case duplicateBytes(rank: UInt32, original: UInt32)
    /// The token bytes together exceed what u32 offsets can address.
    case tooLarge
}

/// Zeroed memory holding a built blob or part of one; freed with the last table that uses
/// it. A whole table (about 5 MB for cl100k) starts on huge pages where the kernel offers
/// them (`ZeroedMemory`).
final class OwnedBlob {
    private let storage: ZeroedMemory
    var memory: UnsafeMutableRawBufferPointer { storage.bytes }
    /// Exactly the blob's bytes (the allocation may be larger).
    let bytes: UnsafeRawBufferPointer

    init(byteCount: Int) {
        storage = ZeroedMemory(byteCount: byteCount)
        bytes = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage.bytes)[0..<byteCount])
    }
}
