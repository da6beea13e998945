/// Typed views of a `HeroIndex`'s sections, and the copying `contents()`.
extension HeroIndex {
    func view<T>(_ kind: SectionKind, as type: T.Type) -> UnsafeBufferPointer<T> {
        // Sections start 64-byte aligned in a page-aligned mapping, so binding is safe.
        let raw = rawBytes(kind)
        return UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: T.self),
                                   count: raw.count / MemoryLayout<T>.stride)
    }

    /// A section's bytes as the accessors hand them out: a kind that is `verifiedOnAccess`
    /// has its checksum checked on first access; the large arrays only by `verify()`.
    func accessed(_ kind: SectionKind) throws -> UnsafeRawBufferPointer {
        if kind.verifiedOnAccess { try verifyOnce(kind) }
        return rawBytes(kind)
    }

    /// `view` through `accessed`.
    func accessedView<T>(_ kind: SectionKind, as type: T.Type) throws -> UnsafeBufferPointer<T> {
        _ = try accessed(kind)
        return view(kind, as: type)
    }

    /// Hero token ids, span after span (unverified view; see `verify()`).
    public var tokens: UnsafeBufferPointer<UInt32> { view(.heroTokens, as: UInt32.self) }
    /// Per-token DNA scores, parallel to `tokens` (unverified view).
    public var scores: UnsafeBufferPointer<Float> { view(.heroScores, as: Float.self) }
    /// Mean feature vector of each span, `spans × featureDimension`, or empty (unverified view).
    public var spanFeatures: UnsafeBufferPointer<Float> { view(.spanFeatures, as: Float.self) }
    /// The embedded tokenizer ranks, opaque bytes; empty when none were embedded (unverified view).
    public var embeddedRanks: UnsafeRawBufferPointer { rawBytes(.tokenizerRanks) }
    /// The embedded ranks in the form `build` writes today (`EmbeddedRanks.mapped`), for an
    /// index written from this one's; an older form is decoded (its errors name the section).
    func mappedRanks() throws -> [UInt8] {
        try EmbeddedRanks.mapped(embeddedRanks) {
            ProteusError(.dataError, path: path, "section 'TOKR' at byte \(entry(.tokenizerRanks).offset): \($0)")
        }
    }
    /// The options the index was built with.
    public var parameters: BuildParameters { metadata.parameters }
    /// The build's deterministic counts.
    public var statistics: BuildStatistics { metadata.statistics }
    /// Identity of the indexed inputs.
    public var fingerprint: SourceFingerprint { metadata.fingerprint }
    /// The corpus tokenizer, when known.
    public var tokenizer: TokenizerIdentity? { metadata.tokenizer }
    /// Split-pattern name of that tokenizer.
    public var splitPattern: String? { metadata.splitPattern }

    /// The hero spans. First access verifies the section's checksum, that every span lies
    /// inside the hero tokens and the document table, and that its corpus positions lie
    /// inside its document (answers subtract the document's start), so callers may index
    /// and compute with them.
    public func spans() throws -> HeroSpans {
        let spans = HeroSpans(owner: self, raw: try accessed(.spans))
        let tokenCount = UInt64(tokens.count)
        let docs = try documents()
        try checkOnce(0) {
            for (i, s) in spans.enumerated() {
                guard UInt64(s.firstHero) + UInt64(s.length) <= tokenCount, Int(s.document) < docs.count else {
                    throw ProteusError(.dataError, path: path,
                                       "section 'SPAN' at byte \(entry(.spans).offset): span \(i) points outside the hero tokens or documents")
                }
                let start = docs.starts[Int(s.document)], length = docs.lengths[Int(s.document)]
                guard s.start >= start, s.start - start <= length, UInt64(s.length) <= length - (s.start - start) else {
                    throw ProteusError(.dataError, path: path,
                                       "section 'SPAN' at byte \(entry(.spans).offset): span \(i) (positions \(s.start) + \(s.length)) lies outside its document \(s.document) (\(start)..<\(start &+ length))")
                }
            }
        }
        return spans
    }

    /// The document table. First access verifies its four sections and their consistency
    /// (contiguous starts, name offsets inside the name pool); names are decoded on demand.
    public func documents() throws -> IndexDocuments {
        let docs = IndexDocuments(owner: self, starts: try accessedView(.documentStarts, as: UInt64.self),
                                  lengths: try accessedView(.documentLengths, as: UInt64.self),
                                  nameOffsets: try accessedView(.documentNameOffsets, as: UInt64.self),
                                  namePool: try accessed(.documentNames))
        try checkOnce(1) {
            var expectedStart: UInt64 = 0
            for i in 0..<docs.count {
                guard docs.starts[i] == expectedStart else {
                    throw ProteusError(.dataError, path: path,
                                       "section 'DSTA' at byte \(entry(.documentStarts).offset): document \(i) does not start where the previous one ends")
                }
                let (next, overflow) = expectedStart.addingReportingOverflow(docs.lengths[i])
                guard !overflow else {
                    throw ProteusError(.dataError, path: path, "section 'DLEN' at byte \(entry(.documentLengths).offset): document lengths overflow")
                }
                expectedStart = next
            }
            var previous: UInt64 = 0
            for (i, o) in docs.nameOffsets.enumerated() {
                guard o >= previous, i > 0 || o == 0 else {
                    throw ProteusError(.dataError, path: path, "section 'DNMO' at byte \(entry(.documentNameOffsets).offset): name offsets are not increasing")
                }
                previous = o
            }
            guard docs.nameOffsets.last == UInt64(docs.namePool.count) else {
                throw ProteusError(.dataError, path: path, "section 'DNMO' at byte \(entry(.documentNameOffsets).offset): name offsets do not end at the end of the name pool")
            }
        }
        return docs
    }

    /// The DNA state's arrays as views. The small sections (row ids, gates) are verified on
    /// first access, and the row ids' ranks checked against the row count, so a lookup never
    /// reads past the per-row arrays.
    public func dna() throws -> DNAView {
        let gates = try accessedView(.gates, as: Float.self)
        let gateConfidence = try accessedView(.gateConfidence, as: Float.self)
        let rows = PresenceBits(words: try accessedView(.dnaIDs, as: UInt64.self), ranks: try accessedView(.dnaRanks, as: UInt32.self))
        try checkOnce(3) {
            var n = 0
            try rows.forEach(fail: { ProteusError(.dataError, path: path, "section 'DRNK' at byte \(entry(.dnaRanks).offset + UInt64(4 * $0)): rank \($0) does not count the ids before it") }) { id in
                guard Int(id) < metadata.vocabularySize else {
                    throw ProteusError(.dataError, path: path, "section 'DIDS' at byte \(entry(.dnaIDs).offset): id \(id) is outside the vocabulary of \(metadata.vocabularySize)")
                }
                n += 1
            }
            guard n == metadata.dnaRows else {
                throw ProteusError(.dataError, path: path, "section 'DIDS' at byte \(entry(.dnaIDs).offset): \(n) ids for \(metadata.dnaRows) DNA rows")
            }
        }
        return DNAView(owner: self, vocabularySize: metadata.vocabularySize, featureDimension: metadata.featureDimension,
                       rows: rows, unseenSurprisal: metadata.unseenSurprisal,
                       surprisal: try accessedView(.surprisal, as: Float.self), features: try accessedView(.features, as: Int8.self),
                       featureScales: try accessedView(.featureScales, as: Float.self), gates: gates,
                       gateConfidence: gateConfidence)
    }

    /// Verifies every section's checksum (in file order, including unknown kinds), the
    /// structural checks of spans and documents, and that every hero token id indexes the
    /// DNA tables (query-time scoring reads `surprisal[id]`). Reads the whole file once.
    public func verify() throws {
        for e in sections.sorted(by: { $0.offset < $1.offset }) { try verifyChecksum(e) }
        _ = try documents()
        _ = try spans()
        try routing()?.verifyLists()
        let vocabulary = metadata.vocabularySize
        guard vocabulary > 0 else { return }
        for (i, id) in tokens.enumerated() where Int(id) >= vocabulary {
            throw ProteusError(.dataError, path: path,
                               "section 'HTOK' at byte \(entry(.heroTokens).offset): hero token \(i) has id \(id), outside the vocabulary of \(vocabulary)")
        }
    }

    /// A copy of everything, as the value the writer was given.
    public func contents() throws -> HeroIndexContents {
        var c = HeroIndexContents()
        let m = metadata
        c.parameters = m.parameters
        c.statistics = m.statistics
        c.fingerprint = m.fingerprint
        c.tokenizer = m.tokenizer
        c.splitPattern = m.splitPattern
        c.windowReach = m.windowReach
        c.documents = try documents().table()
        c.embeddedRanks = Array(embeddedRanks)
        c.spans = Array(try spans())
        c.tokens = Array(tokens)
        c.scores = Array(scores)
        c.spanFeatures = Array(spanFeatures)
        let d = try dna()
        c.dna.vocabularySize = d.vocabularySize
        c.dna.featureDimension = d.featureDimension
        try d.rows.forEach(fail: { _ in ProteusError(.dataError, "unreachable") }) { c.dna.ids.append($0) }
        c.dna.unseenSurprisal = d.unseenSurprisal
        c.dna.surprisal = Array(d.surprisal)
        c.dna.features = Array(d.features)
        c.dna.featureScales = Array(d.featureScales)
        c.dna.gates = Array(d.gates)
        c.dna.gateConfidence = Array(d.gateConfidence)
        if let tier = try routing() {
            var r = RoutingTierContents()
            r.windowTokens = tier.shape.windowTokens
            r.windowCount = tier.shape.windowCount
            r.listLimit = tier.shape.listLimit
            tier.forEachEntry { e in
                r.ids.append(e.id)
                r.windowCounts.append(UInt32(e.windowCount))
            }
            r.postings = SectionBlob(Array(tier.postings))
            r.lineStarts = tier.lineStarts.map(Array.init)
            c.routing = r
        }
        return c
    }
}

/// The span records of a mapped index, decoded on access (24 bytes each, see `IndexFormat`).
public struct HeroSpans: RandomAccessCollection {
    /// Keeps the mapping alive as long as the view.
    let owner: HeroIndex
    let raw: UnsafeRawBufferPointer
    /// Always 0.
    public var startIndex: Int { 0 }
    /// Number of spans.
    public var endIndex: Int { raw.count / IndexFormat.spanRecordSize }
    /// Span `i`, decoded from its record.
    public subscript(i: Int) -> HeroSpan {
        precondition(i >= 0 && i < endIndex, "span index out of range")
        let p = raw.baseAddress! + i * IndexFormat.spanRecordSize
        return HeroSpan(start: p.load(as: UInt64.self),
                        firstHero: p.load(fromByteOffset: 8, as: UInt32.self),
                        length: p.load(fromByteOffset: 12, as: UInt32.self),
                        document: p.load(fromByteOffset: 16, as: UInt32.self),
                        score: Float(bitPattern: p.load(fromByteOffset: 20, as: UInt32.self)))
    }
}

/// The document table of a mapped index; names are decoded only when asked for.
public struct IndexDocuments {
    /// Keeps the mapping alive as long as the view.
    let owner: HeroIndex
    /// Start position of each document (a view into the mapping).
    public let starts: UnsafeBufferPointer<UInt64>
    /// Length in tokens of each document (a view into the mapping).
    public let lengths: UnsafeBufferPointer<UInt64>
    let nameOffsets: UnsafeBufferPointer<UInt64>
    let namePool: UnsafeRawBufferPointer

    /// Number of documents.
    public var count: Int { starts.count }

    /// The name of document `i`.
    public func name(_ i: Int) -> String {
        let from = Int(nameOffsets[i]), to = Int(nameOffsets[i + 1])
        return String(decoding: UnsafeRawBufferPointer(rebasing: namePool[from..<to]), as: UTF8.self)
    }

    /// The document holding absolute position `position`, or nil past the end (same rule as
    /// `DocumentTable.document(containing:)`: empty documents never contain a position).
    public func document(containing position: UInt64) -> Int? {
        guard let last = starts.last, position < last + lengths[lengths.count - 1] else { return nil }
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= position { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// The same documents as a `DocumentTable`: a view of the mapping, not a copy (it keeps
    /// the index open).
    public func table() -> DocumentTable {
        DocumentTable(IndexDocumentStorage(self))
    }
}

/// An index's document sections as the storage of a `DocumentTable` (the merge writes them
/// out again without copying them into memory).
final class IndexDocumentStorage: DocumentStorage, @unchecked Sendable {
    private let documents: IndexDocuments

    init(_ documents: IndexDocuments) { self.documents = documents }

    var count: Int { documents.count }
    var tokenCount: UInt64 { count == 0 ? 0 : documents.starts[count - 1] + documents.lengths[count - 1] }
    var heldBytes: Int { 0 }

    func start(_ i: Int) -> UInt64 { i == count ? tokenCount : documents.starts[i] }

    func lastDocument(atOrBefore position: UInt64) -> Int { searchedDocument(atOrBefore: position, in: 0..<count) }

    func withName<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: documents.namePool[Int(documents.nameOffsets[i])..<Int(documents.nameOffsets[i + 1])]))
    }

    func forEach(_ body: (UInt64, UInt64, UnsafeRawBufferPointer) throws -> Void) rethrows {
        for i in 0..<count { try withName(i) { try body(documents.starts[i], documents.lengths[i], $0) } }
    }
}

/// The DNA state of a mapped index as views. The struct keeps the index open; its buffer
/// pointers must not be used after the struct itself is gone.
public struct DNAView {
    /// Keeps the mapping alive as long as the view.
    let owner: HeroIndex
    /// Every id is below it.
    public let vocabularySize: Int
    /// Dimension of feature vectors and gates.
    public let featureDimension: Int
    /// The ids with a row.
    let rows: PresenceBits
    /// Surprisal of an id without a row.
    public let unseenSurprisal: Float
    /// Surprisal of each row's id, in bits.
    public let surprisal: UnsafeBufferPointer<Float>
    /// Each row's feature vector, `rows × featureDimension`, int8.
    public let features: UnsafeBufferPointer<Int8>
    /// Scale of each feature row (value = feature × scale / 127).
    public let featureScales: UnsafeBufferPointer<Float>
    /// Gate prototypes, `gateCount × featureDimension`.
    public let gates: UnsafeBufferPointer<Float>
    /// Confidence of each gate.
    public let gateConfidence: UnsafeBufferPointer<Float>
    /// Number of gates.
    public var gateCount: Int { gateConfidence.count }

    /// The row of `id`, nil when the sample never saw it.
    public func row(of id: UInt32) -> Int? { rows.rank(of: id) }

    /// The surprisal of any id (bits).
    public func surprisal(of id: UInt32) -> Float { row(of: id).map { surprisal[$0] } ?? unseenSurprisal }
}
