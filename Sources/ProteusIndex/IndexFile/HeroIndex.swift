/// A `.phb` index opened by memory map and used in place.
///
/// Opening validates only what is O(1) in the index size — header, versions, file size,
/// section table bounds/alignment/overlap, element counts, the small `META` section — so it
/// takes microseconds however many heroes the index holds. Section checksums are verified
/// lazily: small sections (spans, documents, gates) on their first access, large arrays
/// (tokens, scores, features, surprisal, ranks) never implicitly — they are handed out as
/// views without touching every page. `verify()` checks everything (`inspect --verify`).
///
/// Views returned by this class point into the mapping and are valid while it is alive.
public final class HeroIndex: @unchecked Sendable {
    /// The path as given, for messages.
    public let path: String
    /// Layout version the file was written with.
    public let formatVersion: UInt32
    /// Oldest reader version the writer declared able to read the file.
    public let oldestReaderVersion: UInt32
    /// Total size recorded in the header (equal to the file size once open).
    public let fileSize: UInt64
    /// Every section of the table, in table order (including kinds this library does not know).
    public let sections: [SectionEntry]
    /// Parameters, statistics, fingerprint, tokenizer identity and DNA dimensions.
    public let metadata: IndexMetadata
    let map: MappedFile
    /// Table entries indexed by `SectionKind.ordinal` (all present after validation).
    let byKind: [SectionEntry?]
    /// Bit i: section `SectionKind.allCases[i]` checksummed; bits 32+: deep checks done.
    /// Bits of the sections and structures already checked, under `checkedLock`.
    private var checked: UInt64 = 0
    private let checkedLock = Monitor()

    /// Opens and validates `path`; throws a one-line `ProteusError` naming what is wrong.
    public init(path: String) throws {
        self.path = path
        let file = try SystemFile(openForReading: path)
        func fail(_ message: String) -> ProteusError { ProteusError(.dataError, path: path, message) }
        // Header, table and META are read with pread rather than through the mapping: copying
        // a few hundred bytes is cheaper than faulting pages in (and unmapping them later).
        // One read of the first 4 KiB holds all three for any index the writer produces.
        let head = try file.readBytes(at: 0, count: Int(min(file.size, 4_096)))
        func bytes(at offset: UInt64, count: Int) throws -> [UInt8] {
            if offset + UInt64(count) <= UInt64(head.count) { return Array(head[Int(offset)..<Int(offset) + count]) }
            return try file.readBytes(at: offset, count: count)
        }
        guard head.starts(with: IndexFormat.magic) else {
            throw fail("not a proteus-index file (\(FileSniffer.explain(Array(head.prefix(512)), fileSize: file.size)))")
        }
        guard file.size >= UInt64(IndexFormat.headerSize) else {
            throw fail("truncated: file has \(file.size) bytes, less than the \(IndexFormat.headerSize)-byte header")
        }
        func u32(_ at: Int) -> UInt32 { head.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) } }
        func u64(_ at: Int) -> UInt64 { head.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) } }
        formatVersion = u32(8)
        oldestReaderVersion = u32(12)
        // Versions before the checksum: a future layout may checksum differently.
        if oldestReaderVersion > IndexFormat.version {
            throw fail("index format version \(formatVersion) is newer than this proteus-index (reads \(IndexFormat.version)); upgrade proteus-index")
        }
        if formatVersion < IndexFormat.oldestReadable {
            throw fail("index format version \(formatVersion) is too old (oldest readable is \(IndexFormat.oldestReadable)); rebuild it")
        }
        fileSize = u64(24)
        if fileSize > file.size {
            throw fail("truncated: header says \(fileSize) bytes, file has \(file.size)")
        }
        if fileSize < file.size {
            throw fail("size mismatch: header says \(fileSize) bytes, file has \(file.size) (data appended after the index?)")
        }
        let sectionCount = Int(u32(16))
        let tableOffset = u64(32)
        guard sectionCount <= IndexFormat.maximumSections, tableOffset >= UInt64(IndexFormat.headerSize),
              tableOffset % 8 == 0, tableOffset <= fileSize,
              UInt64(sectionCount * IndexFormat.tableEntrySize) <= fileSize - tableOffset else {
            throw fail("header at byte 0: section table (\(sectionCount) entries at byte \(tableOffset)) does not fit in the file")
        }
        let table = try bytes(at: tableOffset, count: sectionCount * IndexFormat.tableEntrySize)
        var hasher = XXH64()
        head.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<IndexFormat.checksummedHeaderBytes])) }
        table.withUnsafeBytes { hasher.update($0) }
        guard hasher.digest() == u64(56) else {
            throw fail("header at byte 0: checksum mismatch")
        }
        sections = table.withUnsafeBytes { tableBytes in (0..<sectionCount).map { i in
            let e = tableBytes.baseAddress! + i * IndexFormat.tableEntrySize
            let code = e.loadUnaligned(as: UInt32.self)
            let kind = SectionKind(code: code)
            return SectionEntry(code: code, kind: kind,
                                elementSize: e.loadUnaligned(fromByteOffset: 4, as: UInt32.self),
                                offset: e.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                                length: e.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
                                count: e.loadUnaligned(fromByteOffset: 24, as: UInt64.self),
                                checksum: e.loadUnaligned(fromByteOffset: 32, as: UInt64.self))
        } }
        byKind = try HeroIndex.checkTable(sections, tableEnd: tableOffset + UInt64(table.count),
                                          fileSize: fileSize, fail: fail)
        let meta = byKind[SectionKind.metadata.ordinal]!
        guard meta.length <= IndexFormat.maximumMetadataSize else {
            throw fail("section 'META' at byte \(meta.offset): \(meta.length) bytes, more than the \(IndexFormat.maximumMetadataSize)-byte limit for metadata")
        }
        let metaBytes = try bytes(at: meta.offset, count: Int(meta.length))
        guard XXH64.hash(metaBytes) == meta.checksum else {
            throw fail("section 'META' at byte \(meta.offset): checksum mismatch")
        }
        metadata = try metaBytes.withUnsafeBytes { raw in
            try IndexMetadata.decode(raw) { fail("section 'META' at byte \(meta.offset): \($0)") }
        }
        try HeroIndex.checkCounts(byKind, metadata, fail: fail)
        map = try MappedFile(file)
    }

    /// Bounds, alignment, sizes, duplicates, overlaps and presence of the sections.
    private static func checkTable(_ sections: [SectionEntry], tableEnd: UInt64, fileSize: UInt64,
                                   fail: (String) -> ProteusError) throws -> [SectionEntry?] {
        var byKind = [SectionEntry?](repeating: nil, count: SectionKind.allCases.count)
        for s in sections {
            var at: String { "section '\(s.name)' at byte \(s.offset)" } // built only on failure
            guard s.offset % UInt64(IndexFormat.alignment) == 0 else {
                throw fail("\(at): not aligned to \(IndexFormat.alignment) bytes")
            }
            guard s.offset >= tableEnd, s.length <= fileSize, s.offset <= fileSize - s.length else {
                throw fail("\(at): \(s.length) bytes do not fit between the section table and the end of the file (\(fileSize) bytes)")
            }
            guard let kind = s.kind else { continue }
            guard s.elementSize == UInt32(kind.elementSize),
                  s.count.multipliedReportingOverflow(by: UInt64(kind.elementSize)) == (s.length, false) else {
                throw fail("\(at): length \(s.length) does not match \(s.count) elements of \(kind.elementSize) bytes")
            }
            guard byKind[kind.ordinal] == nil else { throw fail("\(at): second section of the same kind") }
            byKind[kind.ordinal] = s
        }
        // Ties broken by table position so the message is the same on every run.
        let ordered = sections.enumerated().filter { $0.element.length > 0 }
            .sorted { ($0.element.offset, $0.offset) < ($1.element.offset, $1.offset) }.map(\.element)
        for (a, b) in zip(ordered, ordered.dropFirst()) where a.offset + a.length > b.offset {
            throw fail("section '\(b.name)' at byte \(b.offset): overlaps section '\(a.name)'")
        }
        for kind in SectionKind.allCases where byKind[kind.ordinal] == nil && !kind.isOptional {
            throw fail("section '\(kind.rawValue)' is missing")
        }
        return byKind
    }

    /// Element counts that must agree between sections and with the metadata.
    private static func checkCounts(_ s: [SectionEntry?], _ m: IndexMetadata,
                                    fail: (String) -> ProteusError) throws {
        func count(_ k: SectionKind) -> UInt64 { s[k.ordinal]!.count }
        func expect(_ k: SectionKind, _ allowed: [UInt64], _ why: String) throws {
            guard allowed.contains(count(k)) else {
                throw fail("section '\(k.rawValue)' at byte \(s[k.ordinal]!.offset): \(count(k)) elements, expected \(allowed.map(String.init).joined(separator: " or ")) (\(why))")
            }
        }
        func product(_ a: Int, _ b: Int) throws -> UInt64 {
            let (p, overflow) = UInt64(a).multipliedReportingOverflow(by: UInt64(b))
            if overflow { throw fail("section 'META': DNA dimensions \(a) × \(b) overflow") }
            return p
        }
        let dim = m.featureDimension, gates = m.gateCount
        try expect(.heroScores, [count(.heroTokens)], "one score per hero token")
        try expect(.spanFeatures, [0, try product(Int(count(.spans)), dim)], "spans × feature dimension")
        try expect(.documentLengths, [count(.documentStarts)], "one per document")
        try expect(.documentNameOffsets, [count(.documentStarts) + 1], "documents + 1")
        let rows = UInt64(m.dnaRows), dnaPresence = PresenceBits.counts(vocabularySize: m.vocabularySize)
        try expect(.dnaIDs, [UInt64(dnaPresence.words)], "one bit per vocabulary id")
        try expect(.dnaRanks, [UInt64(dnaPresence.ranks)], "one per \(PresenceBits.wordsPerRank) words of DIDS")
        try expect(.surprisal, [rows], "one per DNA row")
        try expect(.features, [try product(m.dnaRows, dim)], "DNA rows × feature dimension")
        try expect(.featureScales, [rows], "one per DNA row")
        try expect(.gates, [try product(gates, dim)], "gates × feature dimension")
        try expect(.gateConfidence, [UInt64(gates)], "gate count")
        let tierKinds = RoutingTierContents.sectionKinds
        guard m.routing != nil else {
            if let k = tierKinds.first(where: { s[$0.ordinal] != nil }) {
                throw fail("section '\(k.rawValue)' at byte \(s[k.ordinal]!.offset): a routing tier section, but the metadata describes no routing tier")
            }
            return
        }
        if let k = tierKinds.first(where: { s[$0.ordinal] == nil }) {
            throw fail("section '\(k.rawValue)' is missing (the metadata describes a routing tier)")
        }
        let presence = PresenceBits.counts(vocabularySize: m.vocabularySize)
        try expect(.routeIDs, [UInt64(presence.words)], "one bit per vocabulary id")
        try expect(.routeRanks, [UInt64(presence.ranks)], "one per \(PresenceBits.wordsPerRank) words of RIDS")
        if let lines = s[SectionKind.routeLineStarts.ordinal], lines.count != UInt64(m.routing!.windowCount) {
            throw fail("section 'RLIN' at byte \(lines.offset): \(lines.count) elements, expected \(m.routing!.windowCount) (one per routing window)")
        }
        guard count(.routeSkips) % 2 == 0 else {
            throw fail("section 'RSKP' at byte \(s[SectionKind.routeSkips.ordinal]!.offset): \(count(.routeSkips)) elements, expected pairs")
        }
    }

    /// The table entry of a section this library requires (all known kinds are).
    public func entry(_ kind: SectionKind) -> SectionEntry { byKind[kind.ordinal]! }

    /// The bytes of a section, unverified.
    public func rawBytes(_ kind: SectionKind) -> UnsafeRawBufferPointer {
        let e = byKind[kind.ordinal]!
        return UnsafeRawBufferPointer(rebasing: map.bytes[Int(e.offset)..<Int(e.offset + e.length)])
    }

    /// Checks a section's checksum once; later calls return immediately.
    func verifyOnce(_ kind: SectionKind) throws {
        let bit = UInt64(1) << UInt64(kind.ordinal)
        if checkedLock.locked({ checked & bit }) != 0 { return }
        try verifyChecksum(byKind[kind.ordinal]!)
        checkedLock.locked { checked |= bit }
    }

    /// Runs `check` once (bit `32 + id`), for structural checks that follow a checksum.
    func checkOnce(_ id: Int, _ check: () throws -> Void) throws {
        let bit = UInt64(1) << UInt64(32 + id)
        if checkedLock.locked({ checked & bit }) != 0 { return }
        try check()
        checkedLock.locked { checked |= bit }
    }

    func verifyChecksum(_ e: SectionEntry) throws {
        let raw = UnsafeRawBufferPointer(rebasing: map.bytes[Int(e.offset)..<Int(e.offset + e.length)])
        guard XXH64.hash(raw) == e.checksum else {
            throw ProteusError(.dataError, path: path, "section '\(e.name)' at byte \(e.offset): checksum mismatch")
        }
    }
}
