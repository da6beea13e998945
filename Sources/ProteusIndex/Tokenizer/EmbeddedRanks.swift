/// The tokenizer ranks an index embeds (section TOKR), so that questions are tokenized and
/// answers decoded with no other file. Two forms, told apart by their first four bytes:
///
/// - **Ready to map** (`encode`; what `build` writes): "PRNM", the rank count (u32), then
///   `count + 1` offsets (u32; rank r's bytes are `bytes[offsets[r] ..< offsets[r + 1]]`,
///   equal offsets for a gap; from 0 to the bytes' length) and every rank's bytes back to
///   back. 1.04 MB for cl100k. A query uses it where the index is mapped: it checks the
///   offsets and hashes only the ranks its question can look up.
/// - **One zstd frame** (level 9; indexes built before the mapped form): "PRNK", the count,
///   each rank's length as a varint, then the bytes. 0.40 MB for cl100k, but every query
///   decompressed it and rebuilt its offsets (a routed question's process took 19.7 ms
///   against 16.3 with the mapped form, medians of 150 alternating runs).
enum EmbeddedRanks {
    static let mappedMagic: [UInt8] = Array("PRNM".utf8)
    static let magic: [UInt8] = Array("PRNK".utf8)
    /// Largest decoded size accepted (a corrupt frame must not make us allocate gigabytes).
    static let maximumSize = 64 << 20

    /// `ranks` ready to map.
    static func encode(_ ranks: RankTable) -> [UInt8] {
        var offsets: [UInt8] = [], bytes: [UInt8] = []
        offsets.reserveCapacity(4 * (ranks.count + 1))
        for rank in 0..<ranks.count {
            offsets += littleEndianBytes(UInt32(bytes.count))
            if let token = ranks.bytes(ofRank: UInt32(rank)) { bytes.append(contentsOf: token) }
        }
        offsets += littleEndianBytes(UInt32(bytes.count))
        return mappedMagic + littleEndianBytes(UInt32(ranks.count)) + offsets + bytes
    }

    /// `ranks` in the compressed form of indexes built before the mapped one (their TOKR is
    /// read as it was; tests make such indexes with it).
    static func encodeCompressed(_ ranks: RankTable) throws -> [UInt8] {
        var plain = magic + littleEndianBytes(UInt32(ranks.count))
        var bytes: [UInt8] = []
        for rank in 0..<ranks.count {
            let token = ranks.bytes(ofRank: UInt32(rank))
            Varint.append(UInt32(token?.count ?? 0), to: &plain)
            if let token { bytes.append(contentsOf: token) }
        }
        plain += bytes
        let compressor = ZstdFrameCompressor(level: 9)
        var frame = [UInt8](repeating: 0, count: compressor.bound(plain.count))
        let n = try plain.withUnsafeBytes { p in try frame.withUnsafeMutableBytes { try compressor.compress(p, into: $0) } }
        return Array(frame[0..<n])
    }

    /// `section` (either form) ready to map: as it is when it already is, else decoded and
    /// encoded again. A merge writes what `build` writes today whatever binary built its
    /// inputs, so that it equals a single build; `fail(what)` names the section.
    static func mapped(_ section: UnsafeRawBufferPointer, fail: (String) -> ProteusError) throws -> [UInt8] {
        if section.isEmpty || section.starts(with: mappedMagic) { return Array(section) }
        return encode(try decode(section, fail: fail))
    }

    /// Texts a table is made for, and the pattern that cuts them into pieces (given the number
    /// of ranks, for a pattern inferred from it).
    struct Focus {
        var texts: [String]
        var pattern: (Int) -> SplitPattern
    }

    /// The rank table in `section` (either form); `fail(what)` names the section in the
    /// error. `owner` keeps `section`'s memory alive (the mapped index): a mapped table is
    /// then used in place, else copied. With `focus`, its hash table holds only what encoding
    /// the focus's texts looks up (`RankCoverage`); the whole table is built if anything else
    /// is asked.
    static func decode(_ section: UnsafeRawBufferPointer, owner: AnyObject? = nil, focus: Focus? = nil,
                       fail: (String) -> ProteusError) throws -> RankTable {
        if section.starts(with: mappedMagic) {
            return try decodeMapped(section, owner: owner, focus: focus, fail: fail)
        }
        return try decodeCompressed(section, focus: focus, fail: fail)
    }

    /// The mapped form, its offsets checked (from 0, never back, ending at the bytes' end)
    /// before any is used.
    private static func decodeMapped(_ section: UnsafeRawBufferPointer, owner: AnyObject?, focus: Focus?,
                                     fail: (String) -> ProteusError) throws -> RankTable {
        guard section.count >= 12 else { throw fail("mapped rank table of \(section.count) bytes is too small for its head") }
        let count = Int(UInt32(littleEndian: section.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
        let head = 8 + 4 * (count + 1)
        guard count >= 1, head <= section.count else {
            throw fail("mapped rank table of \(count) ranks needs \(head) bytes of offsets, but the section holds \(section.count)")
        }
        // In place where the memory stays and the offsets are aligned (a section starts on 64
        // bytes), else in a copy.
        var memory = section, owners: [AnyObject] = owner.map { [$0] } ?? []
        if owner == nil || Int(bitPattern: section.baseAddress! + 8) & 3 != 0 {
            let copy = OwnedBlob(byteCount: section.count)
            copy.memory.copyMemory(from: section)
            memory = copy.bytes
            owners = [copy]
        }
        let offsets = (memory.baseAddress! + 8).assumingMemoryBound(to: UInt32.self)
        let total = section.count - head
        var longest = 0
        guard offsets[0] == 0 else { throw fail("mapped rank table offsets start at \(offsets[0]), not 0") }
        for rank in 0..<count {
            let from = offsets[rank], to = offsets[rank + 1]
            guard to >= from else { throw fail("mapped rank table offset of rank \(rank + 1) goes back (\(from) to \(to))") }
            longest = max(longest, Int(to - from))
        }
        guard Int(offsets[count]) == total else {
            throw fail("mapped rank table offsets end at \(offsets[count]), but \(total) bytes follow them")
        }
        return try table(count: count, offsets: UnsafePointer(offsets), bytes: UnsafeRawBufferPointer(rebasing: memory[head...]),
                         longest: longest, owners: owners, focus: focus, fail: fail)
    }

    /// The compressed form. Fresh memory is what a query process pays most for here (about
    /// 1.7 µs a page on the development machine, more than the work on it): the frame is
    /// decompressed once, and a focused table keeps its bytes where they were decompressed,
    /// its offsets written as the lengths are read.
    private static func decodeCompressed(_ frame: UnsafeRawBufferPointer, focus: Focus?, fail: (String) -> ProteusError) throws -> RankTable {
        let decompressor = ZstdFrameDecompressor()
        guard let declared = decompressor.declaredContentSize(frame), declared >= 8, declared <= UInt64(maximumSize) else {
            throw fail("not a compressed rank table of at most \(maximumSize) bytes")
        }
        let size = Int(declared)
        let plain = OwnedBlob(byteCount: size)
        do {
            try decompressor.decompress(frame, into: plain.memory.baseAddress!, expectedSize: size)
        } catch let e as CodecError {
            throw fail(e.message)
        }
        let p = plain.bytes.bindMemory(to: UInt8.self)
        guard p.starts(with: magic) else { throw fail("compressed rank table does not start with PRNK") }
        let count = Int(UInt32(littleEndian: plain.bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
        // Each length is at least one byte: a count past the bytes is refused before allocating.
        guard count <= size - 8 else { throw fail("rank table lengths run past its end") }
        let offsets = OwnedBlob(byteCount: 4 * (count + 1))
        let offset = offsets.memory.bindMemory(to: UInt32.self).baseAddress!
        let (at, total, longest) = try Self.readLengths(count, from: p, into: offset, fail: fail)
        guard total == size - at else {
            throw fail("rank table lengths add up to \(total) bytes, but \(size - at) follow them")
        }
        return try table(count: count, offsets: UnsafePointer(offset), bytes: UnsafeRawBufferPointer(rebasing: plain.bytes[at...]),
                         longest: longest, owners: [offsets, plain], focus: focus, fail: fail)
    }

    /// The table over `count + 1` checked `offsets` into `bytes` (which `owners` keep alive),
    /// whose longest rank has `longest` bytes: focused on the focus's texts, else whole.
    private static func table(count: Int, offsets: UnsafePointer<UInt32>, bytes: UnsafeRawBufferPointer, longest: Int,
                              owners: [AnyObject], focus: Focus?, fail: (String) -> ProteusError) throws -> RankTable {
        let covered = Set((focus?.texts ?? []).map { Array($0.utf8) })
        func whole() throws -> RankTable {
            let blob = try RankTableLayout.build(bytes: bytes, offsets: offsets, count: count)
            return try RankTable(serialized: blob.bytes, owner: blob, coverage: nil)
        }
        do {
            guard let focus, !covered.isEmpty, longest >= 1,
                  let keys = RankCoverage.keys(of: covered, pattern: focus.pattern(count), longest: longest) else {
                return try whole()
            }
            // The whole table was checked for nothing but these ranks: one with the same bytes
            // as another elsewhere leaves it unbuilt (nil), and the focused table answers.
            let coverage = RankCoverage(texts: covered, pattern: focus.pattern(count), keys: keys) { try? whole() }
            return try RankTable(focusedOn: keys, count: count, offsets: offsets, bytes: bytes, owners: owners, coverage: coverage)
        } catch RankTableBuildError.duplicateBytes(let rank, let original) {
            throw fail("ranks \(original) and \(rank) have the same bytes")
        } catch is RankTableBuildError {
            throw fail("rank table is too large")
        }
    }

    /// Reads the `count` varint lengths after the 8-byte head of `p` into `offsets` (where
    /// each rank's bytes start, and one more); returns where the bytes after the lengths
    /// start, the lengths' sum and the longest.
    private static func readLengths(_ count: Int, from p: UnsafeBufferPointer<UInt8>, into offsets: UnsafeMutablePointer<UInt32>,
                                    fail: (String) -> ProteusError) throws -> (end: Int, total: Int, longest: Int) {
        var at = 8, total = 0, longest = 0
        let end = p.count
        for i in 0..<count {
            offsets[i] = UInt32(truncatingIfNeeded: total)
            guard at < end else { throw fail("rank table lengths run past its end") }
            var b = p[at]
            at += 1
            var value = Int(b)
            if b >= 0x80 {
                value &= 0x7F
                var shift = 7
                repeat {
                    guard at < end, shift < 35 else { throw fail("rank table lengths run past its end") }
                    b = p[at]
                    at += 1
                    value |= Int(b & 0x7F) << shift
                    shift += 7
                } while b >= 0x80
            }
            total &+= value
            longest = max(longest, value)
        }
        offsets[count] = UInt32(truncatingIfNeeded: total)
        return (at, total, longest)
    }
}
