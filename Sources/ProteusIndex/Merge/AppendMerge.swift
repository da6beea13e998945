/// `merge all.phb new.phb -o all2.phb`: appends a part built with `build --after all.phb` to
/// the appendable index it follows. The result is byte-identical to `build --appendable` of
/// all the inputs: the index's closed prefix and the part (which re-scored the old corpus
/// from the prefix's end) are joined as two shards are, and the result keeps the closed
/// prefix of the new corpus, so it can be appended to in turn.
enum AppendMerge {
    static func merge(_ indexes: [HeroIndex], output: String, identities: [FileIdentity], threads: Int,
                      watch: Stopwatch) throws -> IndexMerger.Report {
        // Exactly one appendable index and one part built after it.
        for (k, a) in indexes.enumerated() {
            for b in indexes[..<k] where a.path == b.path || (FileIdentity.of(path: a.path).map { $0 == FileIdentity.of(path: b.path) } ?? false) {
                throw ProteusError(.dataError, path: a.path, "given twice: a part is appended once")
            }
        }
        var whole: HeroIndex?, part: HeroIndex?
        for index in indexes {
            let state = try index.appendState(withWindows: false)
            if index.isShard && state?.after != nil {
                if let part {
                    throw ProteusError(.dataError, path: index.path, "a second part to append beside \(part.path): 'merge' appends one part at a time")
                }
                part = index
            } else if index.isAppendable && state?.after == nil {
                if let whole {
                    throw ProteusError(.dataError, path: index.path, "a second appendable index beside \(whole.path): 'merge' appends a part built with '--after' to one index")
                }
                whole = index
            } else if index.isShard {
                throw ProteusError(.dataError, path: index.path, "a shard index: 'merge' joins shards, or appends a part to an index, not both at once")
            } else {
                throw ProteusError(.dataError, path: index.path, "not an appendable index (built without '--appendable'): nothing can be appended to it")
            }
        }
        guard let part else {
            throw ProteusError(.usage, path: whole?.path, "no part to append: build one with 'build INPUTS --dna FILE.dna --after \(whole?.path ?? "INDEX")'")
        }
        guard let whole else {
            throw ProteusError(.usage, path: part.path, "a part to append, but no appendable index to append it to")
        }
        let wholeState = try whole.appendState(withWindows: false)!, partAppend = try part.appendState(withWindows: false)!
        guard let shard = try part.shardState(withDNA: true, withWindows: false) else {
            throw ProteusError(.dataError, path: part.path, "section 'SWIN' is missing (a part to append carries its windows)")
        }
        try check(whole: whole, wholeState, part: part, partAppend, shard)

        let p = part.parameters
        let dna = try shard.dna.withUnsafeBytes { raw in
            try DNAFile.decode(raw) { ProteusError(.dataError, path: part.path, "section 'SHRD': DNA: \($0)") }
        }
        let boundary = UInt64(shard.chunks.lowerBound) * UInt64(p.chunkLength)
        // Whether the new corpus is kept whole is the part's to say (the old one may have been).
        var closed = wholeState.prefix
        closed.keptWhole = shard.keptWhole
        let prefixPart = ShardChecks.Part(path: whole.path, index: whole, state: closed, fromAppendPrefix: true,
                                          heroLimit: boundary)
        let shardPart = ShardChecks.Part(path: part.path, index: part, state: shard)
        let parts = [prefixPart, shardPart]

        var contents = HeroIndexContents()
        contents.parameters = p
        contents.documents = try part.documents().table()
        contents.tokenizer = part.tokenizer
        contents.splitPattern = part.splitPattern
        contents.embeddedRanks = try part.mappedRanks()
        contents.fingerprint.inputs = part.fingerprint.inputs
        // Windows of a wider reach hold those of a narrower one: the least bounds them all.
        contents.windowReach = min(whole.metadata.windowReach, part.metadata.windowReach)
        let pool = try PoolMerge.pool(of: parts, parameters: p)
        let heroes = try PoolMerge.heroes(of: parts, pool: pool, parameters: p)
        contents.statistics.tokens = part.statistics.tokens
        contents.statistics.chunks = shard.chunkCount
        contents.statistics.champions = wholeState.prefix.champions + shard.champions
        contents.statistics.evicted = contents.statistics.champions - heroes.admittedChampions
        contents.statistics.keptWhole = shard.keptWhole
        contents.dna = dna.state
        contents.assembleSpans(heroes, features: dna.features)
        let digests = wholeState.prefix.digests + shard.digests
        contents.fingerprint.corpus = CorpusIdentity(tokenCount: part.statistics.tokens,
                                                     contentHash: CorpusIdentityHasher.contentHash(digests: digests),
                                                     sampleHash: shard.sampleHash)
        let prefixWindows = try whole.appendPrefixWindows(wholeState)
        let partWindows = try part.shardWindows(shard)
        if p.routeWindow > 0 {
            let builder = try WindowPostingsBuilder(vocabularySize: dna.statistics.vocabularySize,
                                                    windowTokens: p.effectiveRouteWindow,
                                                    listShare: p.routeListShare, name: output)
            builder.threads = threads
            try builder.append(prefixWindows, name: whole.path)
            try builder.append(partWindows, name: part.path)
            contents.routing = try builder.finish()
            contents.routing?.pairFilters = PairFilters(concatenating: [prefixWindows.pairFilters, partWindows.pairFilters])
        }

        // The closed prefix of the new corpus: the index's, then the part's own.
        let partPrefix = partAppend.prefix
        let ownPrefix = ShardChecks.Part(path: part.path, index: part, state: partPrefix, fromAppendPrefix: true)
        let prefixPool = try PoolMerge.pool(of: [prefixPart, ownPrefix], parameters: p)
        let joined = ShardWindows(concatenating: [
            prefixWindows,
            partWindows.prefix(windows: partPrefix.windowCount, bytes: partAppend.prefixSpillBytes),
        ])
        let prefixTokens = (partPrefix.chunks.upperBound) * p.chunkLength
        var prefix = ShardState(spec: ShardSpec(index: 1, count: 1), chunks: 0..<partPrefix.chunks.upperBound,
                                chunkCount: shard.chunkCount, champions: wholeState.prefix.champions + partPrefix.champions,
                                keptWhole: shard.keptWhole, sampleHash: 0,
                                digests: Array(digests.prefix(prefixTokens / CorpusIdentityHasher.blockTokens)), dna: [],
                                captureSpan: shard.captureSpan, windowCount: joined.windowCount,
                                lineStarts: joined.lineStarts, lineBreaks: joined.lineBreaks)
        prefix.keep(Array(0..<prefixPool.count), of: prefixPool)
        contents.append = AppendState(after: nil, dnaHash: wholeState.dnaHash, prefix: prefix,
                                      prefixSpillBytes: wholeState.prefixSpillBytes + partAppend.prefixSpillBytes)
        contents.appendWindows = joined.spill
        let size = try HeroIndexWriter.write(contents, to: output, inputs: identities)
        return IndexMerger.Report(output: output, shards: 2, partialShard: nil, statistics: contents.statistics,
                                  indexBytes: size, seconds: watch.elapsed, appended: true)
    }

    /// Fails unless `part` was built with `--after` this very index, as it was built.
    static func check(whole: HeroIndex, _ wholeState: AppendState, part: HeroIndex, _ partAppend: AppendState,
                      _ shard: ShardState) throws {
        let after = partAppend.after!, corpus = whole.fingerprint.corpus
        if corpus?.tokenCount != after.tokenCount || corpus?.contentHash != after.contentHash {
            if let corpus, corpus.tokenCount == part.statistics.tokens, corpus.sampleHash == shard.sampleHash {
                throw ProteusError(.dataError, path: part.path, "already appended: \(whole.path) holds its \(corpus.tokenCount) tokens")
            }
            throw ProteusError(.dataError, path: part.path, "built after an index of \(after.tokenCount) tokens (content hash \(hex(after.contentHash))), not after \(whole.path) (\(corpus?.tokenCount ?? 0) tokens, content hash \(hex(corpus?.contentHash ?? 0)))")
        }
        func differs(_ field: String) -> ProteusError {
            ProteusError(.dataError, path: part.path, "\(field) differs from \(whole.path): not a part built after it")
        }
        if shard.dnaHash != wholeState.dnaHash { throw differs("DNA") }
        for (name, value) in ShardChecks.parameterFields where value(part.parameters) != value(whole.parameters) {
            throw differs("parameter '\(name)' (\(value(part.parameters)) against \(value(whole.parameters)))")
        }
        // As for shards (`ShardChecks`): the same identity, ranks embedded in both or neither.
        if part.tokenizer != whole.tokenizer || part.splitPattern != whole.splitPattern
            || part.embeddedRanks.isEmpty != whole.embeddedRanks.isEmpty {
            throw differs("tokenizer")
        }
        let old = whole.fingerprint.inputs
        if part.fingerprint.inputs.count <= old.count || Array(part.fingerprint.inputs.prefix(old.count)) != old {
            throw differs("corpus fingerprint (inputs)")
        }
        if shard.chunks.lowerBound != wholeState.prefix.chunks.upperBound || partAppend.prefix.chunks.lowerBound != shard.chunks.lowerBound {
            throw ProteusError(.dataError, path: part.path, "starts at chunk \(shard.chunks.lowerBound), but \(whole.path)'s kept prefix ends at chunk \(wholeState.prefix.chunks.upperBound): overlapping or missing ranges")
        }
    }

    static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 16 - s.count)) + s
    }
}
