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
    }

    /// The rank table in `frame`; `fail(what)` names the section in the error. With `focus`,
    /// its hash table holds only what encoding the focus's texts looks up (`RankCoverage`);
    /// the whole table is built if anything else is asked.
    static func decode(_ frame: UnsafeRawBufferPointer, focus: Focus? = nil, fail: (String) -> ProteusError) throws -> RankTable {
        let decompressor = ZstdFrameDecompressor()
        guard let size = decompressor.declaredContentSize(frame), size >= 8, size <= UInt64(maximumSize) else {
            throw fail("not a compressed rank table of at most \(maximumSize) bytes")
        }
        let plain: [UInt8]
        do {
            // Uninitialized: every byte is written by the decompressor (a query pays for this).
            plain = try [UInt8](unsafeUninitializedCapacity: Int(size)) { buffer, initialized in
                try decompressor.decompress(frame, into: buffer.baseAddress!, expectedSize: Int(size))
                initialized = Int(size)
            }
        } catch let e as CodecError {
            throw fail(e.message)
        }
        guard plain.starts(with: magic) else { throw fail("compressed rank table does not start with PRNK") }
        let count = Int(plain.u32(at: 4))
        var at = 8
        var lengths: [Int] = []
        lengths.reserveCapacity(min(count, plain.count))
        for _ in 0..<count {
            var value = 0, shift = 0
            while true {
                guard at < plain.count, shift < 35 else { throw fail("rank table lengths run past its end") }
                let b = plain[at]
                at += 1
                value |= Int(b & 0x7F) << shift
                if b < 0x80 { break }
                shift += 7
            }
            lengths.append(value)
        }
        guard lengths.reduce(0, +) == plain.count - at else {
            throw fail("rank table lengths add up to \(lengths.reduce(0, +)) bytes, but \(plain.count - at) follow them")
        }
        func build(keeping: RankKeySet?, coverage: RankCoverage?) throws -> RankTable {
            let blob = try plain.withUnsafeBytes {
                try RankTableLayout.build(bytes: UnsafeRawBufferPointer(rebasing: $0[at...]), lengths: lengths, keeping: keeping)
            }
            return try RankTable(serialized: blob.bytes, owner: blob, coverage: coverage)
        }
        do {
            let covered = Set((focus?.texts ?? []).map { Array($0.utf8) })
            guard let focus, !covered.isEmpty,
                  let keys = RankCoverage.keys(of: covered, pattern: focus.pattern(count), longest: lengths.max() ?? 0) else {
                return try build(keeping: nil, coverage: nil)
            }
            // The whole table was checked for nothing but these ranks: one with the same bytes
            // as another elsewhere leaves it unbuilt (nil), and the focused table answers.
            let coverage = RankCoverage(texts: covered, pattern: focus.pattern(count), keys: keys) { try? build(keeping: nil, coverage: nil) }
            return try build(keeping: keys, coverage: coverage)
        } catch RankTableBuildError.duplicateBytes(let rank, let original) {
            throw fail("ranks \(original) and \(rank) have the same bytes")
        } catch is RankTableBuildError {
            throw fail("rank table is too large")
        }
    }
}
