/// The tokenizer ranks an index embeds (section TOKR), so that questions are tokenized and
/// answers decoded with no other file: one zstd frame (level 9) holding "PRNK", the rank
/// count (u32), each rank's byte length as a varint (0 for a gap), then every rank's bytes
/// back to back. For cl100k that is about 0.4 MB, against 3.1 MB for the hashed layout a
/// query uses; opening the index rebuilds that layout from it (a few milliseconds).
enum EmbeddedRanks {
    static let magic: [UInt8] = Array("PRNK".utf8)
    /// Largest decoded size accepted (a corrupt frame must not make us allocate gigabytes).
    static let maximumSize = 64 << 20

    static func encode(_ ranks: RankTable) throws -> [UInt8] {
        var plain = magic + littleEndianBytes(UInt32(ranks.count))
        var bytes: [UInt8] = []
        for rank in 0..<ranks.count {
            let token = ranks.bytes(ofRank: UInt32(rank))
            Varint.append(UInt32(token?.count ?? 0), to: &plain)
            if let token { bytes.append(contentsOf: token) }
        }
        plain += bytes
        // Level 9: for cl100k 403,677 bytes in 0.03 s; level 19 saved 4% for 0.38 s of every build.
        let compressor = ZstdFrameCompressor(level: 9)
        var frame = [UInt8](repeating: 0, count: compressor.bound(plain.count))
        let n = try plain.withUnsafeBytes { p in try frame.withUnsafeMutableBytes { try compressor.compress(p, into: $0) } }
        return Array(frame[0..<n])
    }

    /// Texts a table is made for, and the pattern that cuts them into pieces (given the number
    /// of ranks, for a pattern inferred from it).
    struct Focus {
        var texts: [String]
        var pattern: (Int) -> SplitPattern
        /// The pattern when it is known before the table is decoded (the index records it):
        /// then the texts' keys are hashed on another thread while the frame is decompressed.
        var known: SplitPattern? = nil
    }

    /// The rank table in `frame`; `fail(what)` names the section in the error. With `focus`,
    /// its hash table holds only what encoding the focus's texts looks up (`RankCoverage`);
    /// the whole table is built if anything else is asked.
    ///
    /// Fresh memory is what a query process pays most for here (about 1.7 µs a page on the
    /// development machine, more than the work on it): the frame is decompressed once and a
    /// focused table keeps its bytes where they were decompressed, its offsets written as
    /// the lengths are read, and a hash table sized for the ranks it holds.
    static func decode(_ frame: UnsafeRawBufferPointer, focus: Focus? = nil, fail: (String) -> ProteusError) throws -> RankTable {
        let covered = Set((focus?.texts ?? []).map { Array($0.utf8) })
        let early = focus?.known.flatMap { pattern in
            covered.isEmpty ? nil : BackgroundResult { RankCoverage.keys(of: covered, pattern: pattern, longest: .max) }
        }
        defer { _ = try? early?.value() } // not left running past a failure
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
        let bytes = UnsafeRawBufferPointer(rebasing: plain.bytes[at...])
        func whole() throws -> RankTable {
            let blob = try RankTableLayout.build(bytes: bytes, offsets: UnsafePointer(offset), count: count)
            return try RankTable(serialized: blob.bytes, owner: blob, coverage: nil)
        }
        do {
            // (Early keys past the substring limit are tried again with the table's longest token.)
            guard let focus, !covered.isEmpty, longest >= 1,
                  let keys = (try early?.value()) ?? RankCoverage.keys(of: covered, pattern: focus.pattern(count), longest: longest) else {
                return try whole()
            }
            // The whole table was checked for nothing but these ranks: one with the same bytes
            // as another elsewhere leaves it unbuilt (nil), and the focused table answers.
            let coverage = RankCoverage(texts: covered, pattern: focus.pattern(count), keys: keys) { try? whole() }
            return try RankTable(focusedOn: keys, count: count, offsets: offsets, bytes: bytes, owner: plain, coverage: coverage)
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
