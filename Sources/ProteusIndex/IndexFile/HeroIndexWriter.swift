/// Writes a `HeroIndexContents` as a `.phb` file (layout in `IndexFormat`).
///
/// The header and section table are written as placeholders first, then each section is
/// streamed out on a 64-byte boundary while its XXH64 is computed from the same bytes (no
/// second pass over the file), and finally the table and header are patched in. Everything
/// goes through `AtomicOutputFile`: readers see the old index or the whole new one.
public enum HeroIndexWriter {
    /// Writes `contents` to `path`. Refuses when `path` is one of `inputs` (the corpus being
    /// indexed), and when `contents` breaks an invariant the reader would reject. Returns
    /// the size of the index in bytes.
    @discardableResult
    public static func write(_ contents: HeroIndexContents, to path: String, inputs: [FileIdentity]) throws -> UInt64 {
        try write(contents, to: path, inputs: inputs, checkingConsistency: true)
    }

    /// `checkingConsistency: false` lets tests write the file a damaged or hostile writer
    /// would, to show that the reader refuses it.
    @discardableResult
    static func write(_ contents: HeroIndexContents, to path: String, inputs: [FileIdentity],
                      checkingConsistency: Bool) throws -> UInt64 {
        if checkingConsistency { try checkConsistency(contents, path: path) }
        let out = try AtomicOutputFile(path: path, inputs: inputs)
        do {
            let entries = try writeBody(contents, to: out)
            let fileSize = out.offset
            let table = encodeTable(entries)
            var header = [UInt8](repeating: 0, count: IndexFormat.headerSize)
            header.replaceSubrange(0..<8, with: IndexFormat.magic)
            put(IndexFormat.version, into: &header, at: 8)
            put(IndexFormat.oldestReadable, into: &header, at: 12)
            put(UInt32(entries.count), into: &header, at: 16)
            put(UInt32(0), into: &header, at: 20)
            put(fileSize, into: &header, at: 24)
            put(UInt64(IndexFormat.headerSize), into: &header, at: 32)
            put(headerChecksum(header: header, table: table), into: &header, at: 56)
            try out.patch(header + table, at: 0)
            try out.commit()
            return fileSize
        } catch {
            out.discard()
            throw error
        }
    }

    /// XXH64 of the header's first 56 bytes followed by the table.
    static func headerChecksum(header: [UInt8], table: [UInt8]) -> UInt64 {
        var h = XXH64()
        header.withUnsafeBytes { h.update(UnsafeRawBufferPointer(rebasing: $0[0..<IndexFormat.checksummedHeaderBytes])) }
        table.withUnsafeBytes { h.update($0) }
        return h.digest()
    }

    static func encodeTable(_ entries: [SectionEntry]) -> [UInt8] {
        var table = [UInt8](repeating: 0, count: entries.count * IndexFormat.tableEntrySize)
        for (i, e) in entries.enumerated() {
            let at = i * IndexFormat.tableEntrySize
            put(e.code, into: &table, at: at)
            put(e.elementSize, into: &table, at: at + 4)
            put(e.offset, into: &table, at: at + 8)
            put(e.length, into: &table, at: at + 16)
            put(e.count, into: &table, at: at + 24)
            put(e.checksum, into: &table, at: at + 32)
        }
        return table
    }

    static func put<T: FixedWidthInteger>(_ value: T, into bytes: inout [UInt8], at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for i in 0..<raw.count { bytes[offset + i] = raw[i] }
        }
    }

    private static func writeBody(_ c: HeroIndexContents, to out: AtomicOutputFile) throws -> [SectionEntry] {
        let sectionCount = SectionKind.allCases.filter { !$0.isOptional }.count
            + (c.routing == nil ? 0 : RoutingTierContents.sectionKinds.count + (c.routing?.lineStarts == nil ? 0 : 1)
                + (c.routing?.pairFilters == nil ? 0 : 2))
            + (c.shard == nil || c.shardWindows == nil ? 0 : 2 + (c.shardWindows?.pairFilters == nil ? 0 : 2))
            + (c.append == nil ? 0 : 1 + (c.appendWindows == nil ? 0 : 1))
        try out.write([UInt8](repeating: 0, count: IndexFormat.headerSize + sectionCount * IndexFormat.tableEntrySize))
        var entries: [SectionEntry] = []
        /// Streams one section: `body` calls `emit` with consecutive byte runs.
        func section(_ kind: SectionKind, count: Int, _ body: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
            try out.pad(toMultipleOf: IndexFormat.alignment)
            let offset = out.offset
            var hasher = XXH64()
            try body { bytes in
                hasher.update(bytes)
                try out.write(bytes)
            }
            let length = out.offset - offset
            precondition(length == UInt64(count * kind.elementSize), "section \(kind.rawValue) length")
            entries.append(SectionEntry(code: kind.code, kind: kind, elementSize: UInt32(kind.elementSize),
                                        offset: offset, length: length, count: UInt64(count),
                                        checksum: hasher.digest()))
        }
        func array<T>(_ kind: SectionKind, _ values: [T]) throws {
            try section(kind, count: values.count) { emit in try values.withUnsafeBytes { try emit($0) } }
        }
        func pairFilters(_ filters: PairFilters) throws {
            try section(.routePairFilters, count: filters.words.count / 8) { emit in try filters.words.forEachRun(emit) }
            try array(.routePairOffsets, filters.offsets)
        }

        let metadata = IndexMetadata(contents: c).encoded()
        try array(.metadata, metadata)
        try section(.spans, count: c.spans.count) { emit in
            var record = [UInt8](repeating: 0, count: IndexFormat.spanRecordSize)
            for s in c.spans {
                put(s.start, into: &record, at: 0)
                put(s.firstHero, into: &record, at: 8)
                put(s.length, into: &record, at: 12)
                put(s.document, into: &record, at: 16)
                put(s.score.bitPattern, into: &record, at: 20)
                try record.withUnsafeBytes { try emit($0) }
            }
        }
        // The document sections are streamed from the table (mapped for large inputs) in
        // batches; nothing per document is held.
        let docs = c.documents
        try section(.documentStarts, count: docs.count) { emit in
            try Batch.emitting(emit) { b in try docs.forEachDocument { _, start, _, _ in try b.append(start) } }
        }
        try section(.documentLengths, count: docs.count) { emit in
            try Batch.emitting(emit) { b in try docs.forEachDocument { _, _, length, _ in try b.append(length) } }
        }
        var nameBytes: UInt64 = 0
        try section(.documentNameOffsets, count: docs.count + 1) { emit in
            try Batch.emitting(emit) { b in
                try b.append(nameBytes)
                try docs.forEachDocument { _, _, _, name in
                    nameBytes += UInt64(name.count)
                    try b.append(nameBytes)
                }
            }
        }
        try section(.documentNames, count: Int(nameBytes)) { emit in
            try Batch.emitting(emit) { b in try docs.forEachDocument { _, _, _, name in try b.append(name) } }
        }
        try array(.gates, c.dna.gates)
        try array(.gateConfidence, c.dna.gateConfidence)
        try array(.heroTokens, c.tokens)
        try array(.heroScores, c.scores)
        try array(.spanFeatures, c.spanFeatures)
        let rows = PresenceBits.encode(c.dna.ids, vocabularySize: c.dna.vocabularySize)
        try array(.dnaIDs, rows.words)
        try array(.dnaRanks, rows.ranks)
        try array(.surprisal, c.dna.surprisal)
        try array(.featureScales, c.dna.featureScales)
        try array(.features, c.dna.features)
        try array(.tokenizerRanks, c.embeddedRanks)
        if let tier = c.routing {
            let d = RoutingDirectory.encode(ids: tier.ids, counts: tier.windowCounts, vocabularySize: c.dna.vocabularySize,
                                            listLimit: tier.listLimit, windows: tier.windowCount)
            try array(.routeIDs, d.presence)
            try array(.routeRanks, d.ranks)
            try array(.routeWindowCounts, d.counts)
            try array(.routeSkips, d.skips)
            try section(.routePostings, count: tier.postings.count) { emit in try tier.postings.forEachRun(emit) }
            if let lines = tier.lineStarts { try array(.routeLineStarts, lines) }
            if let filters = tier.pairFilters { try pairFilters(filters) }
        }
        if let shard = c.shard, let windows = c.shardWindows {
            try array(.shardState, shard.encoded())
            try section(.shardWindows, count: windows.spill.count) { emit in try windows.spill.forEachRun(emit) }
            if let filters = windows.pairFilters { try pairFilters(filters) }
        }
        if let append = c.append {
            try array(.appendState, append.encoded())
            if let windows = c.appendWindows {
                try section(.appendWindows, count: windows.count) { emit in try windows.forEachRun(emit) }
            }
        }
        precondition(entries.count == sectionCount)
        return entries
    }

    /// Gathers small values into 64 KiB runs for a section's `emit`, so a section of millions
    /// of documents is streamed from the table without an array of its own.
    private struct Batch {
        let emit: (UnsafeRawBufferPointer) throws -> Void
        var bytes: [UInt8] = []
        static let size = 1 << 16

        /// Calls `fill` with a batch that emits through `emit`, then emits what is left.
        static func emitting(_ emit: (UnsafeRawBufferPointer) throws -> Void, _ fill: (inout Batch) throws -> Void) throws {
            try withoutActuallyEscaping(emit) { emit in
                var batch = Batch(emit: emit)
                batch.bytes.reserveCapacity(Batch.size)
                try fill(&batch)
                try batch.flush()
            }
        }

        mutating func append(_ value: UInt64) throws {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
            if bytes.count >= Batch.size { try flush() }
        }

        mutating func append(_ raw: UnsafeRawBufferPointer) throws {
            bytes.append(contentsOf: raw)
            if bytes.count >= Batch.size { try flush() }
        }

        mutating func flush() throws {
            guard !bytes.isEmpty else { return }
            try bytes.withUnsafeBytes { try emit($0) }
            bytes.removeAll(keepingCapacity: true)
        }
    }

    /// The invariants `HeroIndex` checks on open, checked here first so a bad build fails
    /// before writing rather than producing an index nothing can read.
    static func checkConsistency(_ c: HeroIndexContents, path: String) throws {
        func refuse(_ what: String) -> ProteusError {
            ProteusError(.dataError, path: path, "cannot write index: \(what)")
        }
        let dna = c.dna
        guard c.tokens.count == c.scores.count else {
            throw refuse("\(c.tokens.count) hero tokens but \(c.scores.count) scores")
        }
        guard c.spanFeatures.isEmpty || c.spanFeatures.count == c.spans.count * dna.featureDimension else {
            throw refuse("\(c.spanFeatures.count) span feature values, expected spans × featureDimension = \(c.spans.count) × \(dna.featureDimension)")
        }
        guard dna.ids.count <= dna.vocabularySize, dna.ids.allSatisfy({ Int($0) < dna.vocabularySize }),
              zip(dna.ids, dna.ids.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw refuse("DNA rows of \(dna.ids.count) ids are not increasing or inside the vocabulary of \(dna.vocabularySize)")
        }
        guard dna.surprisal.count == dna.ids.count else {
            throw refuse("\(dna.surprisal.count) surprisal values for \(dna.ids.count) DNA rows")
        }
        guard dna.features.count == dna.ids.count * dna.featureDimension else {
            throw refuse("\(dna.features.count) feature values, expected rows × featureDimension = \(dna.ids.count) × \(dna.featureDimension)")
        }
        guard dna.featureScales.count == dna.ids.count else {
            throw refuse("\(dna.featureScales.count) feature scales for \(dna.ids.count) DNA rows")
        }
        guard dna.gates.count == dna.gateConfidence.count * dna.featureDimension else {
            throw refuse("\(dna.gates.count) gate values, expected gates × featureDimension = \(dna.gateConfidence.count) × \(dna.featureDimension)")
        }
        if dna.vocabularySize > 0, let i = c.tokens.firstIndex(where: { Int($0) >= dna.vocabularySize }) {
            throw refuse("hero token \(i) has id \(c.tokens[i]), outside the vocabulary of \(dna.vocabularySize)")
        }
        if let tier = c.routing {
            guard tier.ids.count == tier.windowCounts.count, tier.ids.allSatisfy({ Int($0) < dna.vocabularySize }),
                  zip(tier.ids, tier.ids.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw refuse("routing tier directory of \(tier.ids.count) ids and \(tier.windowCounts.count) counts is not increasing or inside the vocabulary")
            }
        }
        for (i, s) in c.spans.enumerated() {
            guard UInt64(s.firstHero) + UInt64(s.length) <= UInt64(c.tokens.count), Int(s.document) < c.documents.count else {
                throw refuse("span \(i) points outside the hero tokens or documents")
            }
            let start = c.documents.starts[Int(s.document)], length = c.documents.lengths[Int(s.document)]
            guard s.start >= start, s.start - start <= length, UInt64(s.length) <= length - (s.start - start) else {
                throw refuse("span \(i) (positions \(s.start) + \(s.length)) lies outside its document \(s.document) (\(start)..<\(start &+ length))")
            }
        }
    }
}

extension IndexMetadata {
    init(contents c: HeroIndexContents) {
        self.init()
        parameters = c.parameters
        statistics = c.statistics
        fingerprint = c.fingerprint
        tokenizer = c.tokenizer
        splitPattern = c.splitPattern
        vocabularySize = c.dna.vocabularySize
        featureDimension = c.dna.featureDimension
        gateCount = c.dna.gateConfidence.count
        routing = c.routing?.shape
        dnaRows = c.dna.ids.count
        unseenSurprisal = c.dna.unseenSurprisal
        windowReach = c.windowReach
    }
}
