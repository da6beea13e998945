/// `merge part-*.phb -o all.phb`: joins shard indexes into the index a single `build --dna`
/// of the whole corpus writes, byte for byte. Reads each shard's small state and streams its
/// routing windows; memory is one pool's worth of champions plus the routing builder's
/// vocabulary-sized tables.
public enum IndexMerger {
    public struct Report {
        public var output: String
        public var shards: Int
        public var statistics: BuildStatistics
        public var indexBytes: UInt64
        public var seconds: Double
    }

    public static func merge(inputs: [String], output: String) throws -> Report {
        let watch = Stopwatch()
        guard !inputs.isEmpty else { throw ProteusError(.usage, "'merge' needs shard indexes to merge") }
        let identities = inputs.compactMap { FileIdentity.of(path: $0) }
        try OutputDestination.check(output, inputs: identities)
        var parts: [ShardChecks.Part] = []
        for path in inputs {
            let index = try HeroIndex(path: path)
            guard let state = try index.shardState(withDNA: parts.isEmpty, withWindows: false) else {
                throw ProteusError(.dataError, path: path, "not a shard index (built without '--shard'): nothing to merge")
            }
            parts.append(ShardChecks.Part(path: path, index: index, state: state))
        }
        try ShardChecks.checkSameBuild(parts)
        parts = try ShardChecks.inOrder(parts)
        let first = parts.first { !$0.state.dna.isEmpty }!
        let p = first.index.parameters
        let dna = try first.state.dna.withUnsafeBytes { raw in
            try DNAFile.decode(raw) { ProteusError(.dataError, path: first.path, "section 'SHRD': DNA: \($0)") }
        }

        var contents = HeroIndexContents()
        contents.parameters = p
        contents.documents = try first.index.documents().table()
        contents.tokenizer = first.index.tokenizer
        contents.splitPattern = first.index.splitPattern
        contents.embeddedRanks = Array(first.index.embeddedRanks)
        contents.fingerprint.inputs = first.index.fingerprint.inputs
        contents.fingerprint.corpus = CorpusIdentity(
            tokenCount: first.index.statistics.tokens,
            contentHash: CorpusIdentityHasher.contentHash(digests: parts.flatMap(\.state.digests)),
            sampleHash: first.state.sampleHash)
        let heroes = try PoolMerge.heroes(of: parts, parameters: p)
        contents.statistics.tokens = first.index.statistics.tokens
        contents.statistics.chunks = first.state.chunkCount
        contents.statistics.champions = parts.reduce(0) { $0 + $1.state.champions }
        contents.statistics.evicted = contents.statistics.champions - heroes.admittedChampions
        contents.statistics.keptWhole = first.state.keptWhole
        contents.dna = dna.state
        contents.assembleSpans(heroes, features: dna.features)
        if p.routeWindow > 0 {
            let builder = try WindowPostingsBuilder(vocabularySize: dna.statistics.vocabularySize,
                                                    windowTokens: p.effectiveRouteWindow,
                                                    listShare: p.routeListShare, name: output)
            for part in parts { try builder.append(try part.index.shardWindows(part.state), name: part.path) }
            contents.routing = try builder.finish()
        }
        let size = try HeroIndexWriter.write(contents, to: output, inputs: identities)
        return Report(output: output, shards: parts.count, statistics: contents.statistics, indexBytes: size,
                      seconds: watch.elapsed)
    }
}
