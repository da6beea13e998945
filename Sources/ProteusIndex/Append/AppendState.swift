/// What an index carries so that a part of files added later can be appended to it exactly
/// (`build --appendable`, `build --after`, `merge all.phb new.phb`). Stored as the `APND`
/// section (`MetadataWriter` encoding).
///
/// An append re-scores the corpus from a boundary B: the last unit boundary (`ShardSpec`'s
/// units: whole chunks and whole hash blocks) with at least one whole chunk of the old corpus
/// after it. Everything before B is final whatever follows: the chunks there are scored
/// alone, the champions at their end took their right neighbours from the whole chunk at B,
/// and the last routing window took its reach from that chunk's head. So the index keeps the
/// state of a shard covering its chunks before B (the "closed prefix"): the ranked pool of
/// the champions there with their windows, their count, the hash blocks' digests and the
/// routing windows before inversion. The part built `--after` it re-reads the old corpus
/// from B (at most a unit and a chunk) and scores on as a shard running to the new end; the
/// merge joins the two as it joins shards.
struct AppendState: Equatable, Sendable {
    /// For a part built with `--after`: the identity of the corpus of the index it follows
    /// (token count, content hash, sample hash). Nil in an appendable whole index.
    var after: CorpusIdentity?
    /// XXH64 of the `.dna` encoding the index was scored with.
    var dnaHash: UInt64
    /// The closed prefix: chunks from the start of the range to the boundary, as a shard
    /// covering them carries them (the DNA left out; `lineStarts`/`lineBreaks` count from
    /// the range's start).
    var prefix: ShardState
    /// Bytes of the prefix's windows at the start of the range's spilled windows.
    var prefixSpillBytes: Int

    /// The chunk where an append re-scores a corpus of `tokens` tokens from: the last unit
    /// boundary with a whole chunk after it (0 when the corpus has no whole chunk).
    static func boundary(tokens: UInt64, chunkLength: Int) -> Int {
        let chunk = UInt64(chunkLength), unit = UInt64(ShardSpec.unitTokens(chunkLength: chunkLength))
        guard tokens >= chunk else { return 0 }
        return Int((tokens - chunk) / unit * unit / chunk)
    }

    func encoded() -> [UInt8] {
        var w = MetadataWriter()
        w.u8(1)
        w.u8(after == nil ? 0 : 1)
        w.u64(after?.tokenCount ?? 0); w.u64(after?.contentHash ?? 0); w.u64(after?.sampleHash ?? 0)
        w.u64(dnaHash)
        w.int(prefixSpillBytes)
        w.array(prefix.encoded())
        return w.bytes
    }

    static func decode(_ raw: UnsafeRawBufferPointer, withWindows: Bool = true,
                       fail: @escaping (String) -> ProteusError) throws -> AppendState {
        var r = MetadataReader(raw: raw, fail: fail)
        let version = try r.u8()
        guard version == 1 else { throw fail("append state version \(version) is not known (this build reads 1)") }
        let hasAfter = try r.u8() != 0
        let tokens = try r.u64(), hash = try r.u64(), sample = try r.u64()
        let dnaHash = try r.u64()
        let spillBytes = try r.int()
        let inner = try r.arrayBytes(of: UInt8.self)
        var prefix = try ShardState.decode(inner, withDNA: false, withWindows: withWindows, fail: fail)
        prefix.dnaHash = dnaHash
        guard spillBytes >= 0 else { throw fail("prefix windows of \(spillBytes) bytes are impossible") }
        return AppendState(after: hasAfter ? CorpusIdentity(tokenCount: tokens, contentHash: hash, sampleHash: sample) : nil,
                           dnaHash: dnaHash, prefix: prefix, prefixSpillBytes: spillBytes)
    }

    /// The bytes of the first `windows` windows of a spill (per window: the id count, then
    /// that many varints).
    static func spillBytes(of blob: SectionBlob, windows: Int) throws -> Int {
        guard windows > 0 else { return 0 }
        var reader = VarintReader()
        var remaining = windows, expected = -1, seen = 0
        struct Found: Error {}
        do {
            try blob.forEachRun { run in
                try reader.feed(run) { value in
                    if expected < 0 { expected = Int(value); seen = 0 } else { seen += 1 }
                    if expected == seen {
                        expected = -1
                        remaining -= 1
                        if remaining == 0 { throw Found() }
                    }
                }
            }
        } catch is Found {
            return reader.consumed
        }
        precondition(!reader.inVarint, "spilled windows end inside a varint")
        preconditionFailure("spilled windows hold fewer than \(windows) windows")
    }
}

extension ShardWindows {
    /// The first `windows` windows, `bytes` long in the spill (an append's closed prefix).
    func prefix(windows: Int, bytes: Int) -> ShardWindows {
        ShardWindows(spill: SectionBlob(prefix: bytes, of: spill), windowCount: windows,
                     lineStarts: lineStarts.map { Array($0[0..<windows]) },
                     lineBreaks: windows < windowCount ? (lineStarts?[windows] ?? 0) : lineBreaks,
                     pairFilters: pairFilters.map { $0.prefix(windows: windows) })
    }
}

extension PairFilters {
    /// The filters of the first `windows` windows.
    func prefix(windows: Int) -> PairFilters {
        PairFilters(words: SectionBlob(prefix: Int(offsets[windows]) * 8, of: words), offsets: Array(offsets[0...windows]))
    }
}

extension HeroIndex {
    /// Whether the index has a section of `kind`.
    func hasSection(_ kind: SectionKind) -> Bool { byKind[kind.ordinal] != nil }

    /// The append state (checksum verified); nil when the index has none.
    func appendState(withWindows: Bool = true) throws -> AppendState? {
        guard byKind[SectionKind.appendState.ordinal] != nil else { return nil }
        try verifyOnce(.appendState)
        let e = entry(.appendState)
        return try AppendState.decode(rawBytes(.appendState), withWindows: withWindows) {
            ProteusError(.dataError, path: self.path, "section 'APND' at byte \(e.offset): \($0)")
        }
    }

    /// Whether this index can be appended to (`build --appendable`, or a merge that appended).
    var isAppendable: Bool { byKind[SectionKind.appendState.ordinal] != nil && byKind[SectionKind.shardState.ordinal] == nil }

    /// An appendable index's closed prefix as a shard's windows: the spilled windows of
    /// `APWN`, their line starts, and the first filters of the routing tier.
    func appendPrefixWindows(_ state: AppendState) throws -> ShardWindows {
        let windows = state.prefix.windowCount
        guard byKind[SectionKind.appendWindows.ordinal] != nil else {
            throw ProteusError(.dataError, path: path, "section 'APWN' is missing (an appendable index needs its prefix windows)")
        }
        try verifyOnce(.appendWindows)
        guard entry(.appendWindows).length == UInt64(state.prefixSpillBytes) else {
            throw ProteusError(.dataError, path: path, "section 'APWN' holds \(entry(.appendWindows).length) bytes, but 'APND' records \(state.prefixSpillBytes)")
        }
        var filters: PairFilters?
        if let tier = metadata.routing, let view = try pairFilters(windows: tier.windowCount) {
            guard windows <= tier.windowCount else {
                throw ProteusError(.dataError, path: path, "section 'APND': \(windows) prefix windows, but the routing tier has \(tier.windowCount)")
            }
            filters = view.contents(owner: self).prefix(windows: windows)
        }
        return ShardWindows(spill: SectionBlob(mapped: rawBytes(.appendWindows), owner: self), windowCount: windows,
                            lineStarts: state.prefix.lineStarts, lineBreaks: state.prefix.lineBreaks, pairFilters: filters)
    }
}
