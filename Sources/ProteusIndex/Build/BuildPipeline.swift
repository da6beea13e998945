/// Builds the hero index contents of a token source: corpus statistics and token features
/// from a sample, then one pass scoring every chunk (in parallel), champion selection and the
/// hero buffer (in chunk order), then the spans.
///
/// The result depends only on the tokens, the documents and the parameters — not on the
/// thread count, nor on how the tokens were split into files.
public final class BuildPipeline {
    /// The validated options.
    public let parameters: BuildParameters
    /// Ids must be below this (the tokenizer's vocabulary size); nil checks nothing.
    public var vocabularyLimit: UInt32?
    /// Line breaks per id (`Tokenizer.lineBreakCounts`), so the routing tier can say on
    /// which line of its document an answer starts; nil records no lines.
    public var lineBreaks: [UInt8]?
    /// Which ids are identifier-shaped (`Tokenizer.identifierShapes`), for the "shapes"
    /// signal; nil (no tokenizer to read the ids' bytes) leaves the signal out.
    public var identifierShapes: [Bool]?

    /// Checks `parameters`; throws a `ParameterError` naming the offending one.
    public init(parameters: BuildParameters) throws {
        try parameters.validate()
        self.parameters = parameters
    }

    /// Runs the build.
    /// - Parameters:
    ///   - source: the tokens (any format).
    ///   - embeddings: external token features (`--embeddings`); nil learns them from
    ///     co-occurrence in the statistics sample.
    ///   - focusTokens: the `--focus` text, tokenized; seeds fixed salience gates.
    ///   - threads: threads for the sample statistics and the chunk scoring (below 1 counts
    ///     as 1); never changes the result.
    ///   - progress: called after each chunk with (tokens done, total tokens), on the
    ///     calling thread.
    public func run(source: TokenSource, embeddings: TokenEmbeddings? = nil, focusTokens: [UInt32] = [],
                    threads: Int = 1, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> HeroIndexContents {
        let p = parameters
        let threads = max(1, threads)
        try p.validate(embeddings: embeddings, tokenizer: source.tokenizer)
        let total = source.tokenCount
        let (statistics, features) = try learn(source: source, embeddings: embeddings, threads: threads)
        let vocabulary = statistics.vocabularySize
        var gates: SalienceGates?
        if p.uses(.gates) && p.gateCount > 0 {
            var seen = Set<UInt32>()
            var rows: [[Float]] = []
            for t in focusTokens where seen.insert(t).inserted {
                let base = Int(min(t, UInt32(vocabulary))) * features.dimension
                rows.append(Array(features.values[base..<(base + features.dimension)]))
            }
            gates = SalienceGates(count: p.gateCount, dimension: features.dimension, focusRows: rows)
        }
        let tables = ScoreTables(surprisal: statistics.surprisal, vocabularySize: vocabulary,
                                 chunkLength: p.chunkLength, useSurprisal: p.uses(.surprisal),
                                 burstiness: p.uses(.burstiness), identifierShapes: p.uses(.shapes) ? identifierShapes : nil)
        let chunkCount = Int((total + UInt64(p.chunkLength) - 1) / UInt64(p.chunkLength))
        let keepWhole = total <= UInt64(p.bufferTokens)
        let stage = ChampionStage(parameters: p, chunkCount: chunkCount, keepWhole: keepWhole,
                                  features: features, gates: gates)
        var driver = ChunkDriver(source: source, chunkLength: p.chunkLength, chunkCount: chunkCount,
                                 candidateLimit: p.candidateLimit, championLimit: p.perChunk,
                                 bonusMargin: gates?.maximumBonus ?? 0, tables: tables)
        driver.vocabularyLimit = vocabularyLimit
        driver.routeWindow = p.routeWindow > 0 ? p.effectiveRouteWindow : 0
        driver.lineBreaks = lineBreaks
        let postings = p.routeWindow > 0
            ? try WindowPostingsBuilder(vocabularySize: vocabulary, windowTokens: p.effectiveRouteWindow,
                                        listShare: p.routeListShare, name: source.name) : nil
        var identity = CorpusIdentityHasher(tokenCount: total)
        try driver.run(threads: threads) { result in
            stage.consume(result)
            identity.update(UnsafeBufferPointer(rebasing: result.tokens[0..<result.count]))
            try postings?.add(result)
            progress?(result.start + UInt64(result.count), total)
        }
        let (heroes, evicted) = stage.finish(budget: p.bufferTokens)

        var contents = HeroIndexContents(parameters: p, source: source, heroes: heroes, statistics: statistics,
                                         features: features, gates: gates, embeddings: embeddings)
        contents.statistics.champions = stage.champions
        contents.statistics.evicted = evicted
        contents.statistics.keptWhole = keepWhole
        contents.fingerprint.corpus = identity.finish()
        contents.routing = try postings?.finish()
        return contents
    }

    /// Corpus statistics and token features from the deterministic sample (the DNA every
    /// token is scored with, and that queries reuse).
    func learn(source: TokenSource, embeddings: TokenEmbeddings?, threads: Int = 1) throws -> (CorpusStatistics, TokenFeatures) {
        let sample = StatisticsSample(tokenCount: source.tokenCount, sampleTokens: parameters.statisticsSampleTokens)
        let minimumVocabulary = max(Int(source.tokenizer?.vocabularySize ?? 0), embeddings?.rows ?? 0)
        let statistics = try CorpusStatistics(source: source, sample: sample, minimumVocabulary: minimumVocabulary,
                                              threads: threads)
        let features: TokenFeatures
        if let embeddings {
            features = TokenFeatures.from(embeddings, vocabularySize: statistics.vocabularySize)
        } else {
            features = try TokenFeatures.learn(source: source, sample: sample, vocabularySize: statistics.vocabularySize,
                                               dimension: parameters.featureDimension, threads: threads)
        }
        return (statistics, features)
    }
}
