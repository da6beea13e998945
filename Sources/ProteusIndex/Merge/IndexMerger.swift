/// `merge part-*.phb -o all.phb`: joins shard indexes into the index a single `build --dna`
/// of the whole corpus writes, byte for byte. Reads each shard's small state and streams its
/// routing windows; memory is one pool's worth of champions plus the routing builder's
/// vocabulary-sized tables.
///
/// `threads` invert the routing windows (the bytes do not depend on them).
/// `partial` lets the inputs be any run of consecutive shards i..j (`merge --partial`, for a
/// tree of merges): the output is then the shard "i-j/N" that covers them, which merges with
/// the other shards as they would have.
public enum IndexMerger {
    public struct Report {
        public var output: String
        public var shards: Int
        /// The shard the output is, when a partial merge did not cover the whole corpus.
        public var partialShard: String?
        public var statistics: BuildStatistics
        public var indexBytes: UInt64
        public var seconds: Double
        /// Whether a part was appended to an appendable index.
        public var appended = false
    }

    public static func merge(inputs: [String], output: String, partial: Bool = false, threads: Int = 1) throws -> Report {
        let watch = Stopwatch()
        guard !inputs.isEmpty else { throw ProteusError(.usage, "'merge' needs shard indexes to merge") }
        let identities = inputs.compactMap { FileIdentity.of(path: $0) }
        try OutputDestination.check(output, inputs: identities)
        let opened = try inputs.map { try HeroIndex(path: $0) }
        if let appendable = opened.first(where: { $0.hasSection(.appendState) }) {
            if partial {
                throw ProteusError(.usage, path: appendable.path, "an appendable index or a part to append: '--partial' joins shards only")
            }
            return try AppendMerge.merge(opened, output: output, identities: identities, threads: threads, watch: watch)
        }
        var parts: [ShardChecks.Part] = []
        for (path, index) in zip(inputs, opened) {
            guard let state = try index.shardState(withDNA: parts.isEmpty, withWindows: false) else {
                throw ProteusError(.dataError, path: path, "not a shard index (built without '--shard'): nothing to merge")
            }
            parts.append(ShardChecks.Part(path: path, index: index, state: state))
        }
        try ShardChecks.checkSameBuild(parts)
        let (dnaBytes, dnaSource) = (parts[0].state.dna, parts[0].path)
        parts = try ShardChecks.inOrder(parts, partial: partial)
        let first = parts[0]
        let spec = ShardSpec(index: first.state.spec.index, last: parts.last!.state.spec.last, count: first.state.spec.count)
        let p = first.index.parameters
        let dna = try dnaBytes.withUnsafeBytes { raw in
            try DNAFile.decode(raw) { ProteusError(.dataError, path: dnaSource, "section 'SHRD': DNA: \($0)") }
        }

        var contents = HeroIndexContents()
        contents.parameters = p
        contents.documents = try first.index.documents().table()
        contents.tokenizer = first.index.tokenizer
        contents.splitPattern = first.index.splitPattern
        contents.embeddedRanks = try first.index.mappedRanks()
        contents.fingerprint.inputs = first.index.fingerprint.inputs
        // Windows of a wider reach hold those of a narrower one: the least bounds them all.
        contents.windowReach = parts.map(\.index.metadata.windowReach).min()!
        let pool = try PoolMerge.pool(of: parts, parameters: p)
        let heroes = try PoolMerge.heroes(of: parts, pool: pool, parameters: p)
        contents.statistics.tokens = first.index.statistics.tokens
        contents.statistics.chunks = first.state.chunkCount
        contents.statistics.champions = parts.reduce(0) { $0 + $1.state.champions }
        contents.statistics.evicted = contents.statistics.champions - heroes.admittedChampions
        contents.statistics.keptWhole = first.state.keptWhole
        contents.dna = dna.state
        contents.assembleSpans(heroes, features: dna.features)
        let windows = try parts.map { try $0.index.shardWindows($0.state) }
        if spec.isWhole {
            contents.fingerprint.corpus = CorpusIdentity(
                tokenCount: first.index.statistics.tokens,
                contentHash: CorpusIdentityHasher.contentHash(digests: parts.flatMap(\.state.digests)),
                sampleHash: first.state.sampleHash)
            if p.routeWindow > 0 {
                let builder = try WindowPostingsBuilder(vocabularySize: dna.statistics.vocabularySize,
                                                        windowTokens: p.effectiveRouteWindow,
                                                        listShare: p.routeListShare, name: output)
                builder.threads = threads
                for (part, own) in zip(parts, windows) { try builder.append(own, name: part.path) }
                contents.routing = try builder.finish()
                contents.routing?.pairFilters = PairFilters(concatenating: windows.map(\.pairFilters))
            }
        } else {
            // The shard that covers the parts, as its own build would have written it.
            contents.fingerprint.corpus = first.index.fingerprint.corpus
            let joined = ShardWindows(concatenating: windows)
            var state = ShardState(spec: spec, chunks: first.state.chunks.lowerBound..<parts.last!.state.chunks.upperBound,
                                   chunkCount: first.state.chunkCount, champions: contents.statistics.champions,
                                   keptWhole: first.state.keptWhole, sampleHash: first.state.sampleHash,
                                   digests: parts.flatMap(\.state.digests), dna: dnaBytes,
                                   captureSpan: first.state.captureSpan, windowCount: joined.windowCount,
                                   lineStarts: joined.lineStarts, lineBreaks: joined.lineBreaks)
            state.keep(Array(0..<pool.count), of: pool)
            contents.shard = state
            contents.shardWindows = joined
        }
        let size = try HeroIndexWriter.write(contents, to: output, inputs: identities)
        return Report(output: output, shards: parts.count, partialShard: spec.isWhole ? nil : spec.description, statistics: contents.statistics, indexBytes: size,
                      seconds: watch.elapsed)
    }
}
