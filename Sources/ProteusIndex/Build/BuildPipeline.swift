/// Builds the hero index contents of a token source: corpus statistics and token features
/// from a sample, then one pass scoring every chunk (in parallel), champion selection and the
/// hero buffer (in chunk order), then the spans.
///
/// The result depends only on the tokens, the documents and the parameters — not on the
/// thread count, nor on how the tokens were split into files.
public final class BuildPipeline {
    /// The validated options.
    public let parameters: BuildParameters
    /// The tokenizer given (`--tokenizer`), which a source of raw ids does not record; nil:
    /// the source's own. See `tokenizer(of:)`.
    public var tokenizer: TokenizerIdentity?
    /// Line breaks per id (`Tokenizer.lineBreakCounts`), so the routing tier can say on
    /// which line of its document an answer starts; nil records no lines.
    public var lineBreaks: [UInt8]?
    /// Which ids are identifier-shaped (`Tokenizer.identifierShapes`), for the "shapes"
    /// signal; nil (no tokenizer to read the ids' bytes) leaves the signal out.
    public var identifierShapes: [Bool]?
    /// Join flags per id (`Tokenizer.joinFlags`), for the routing tier's joined-pair
    /// filters; nil (no tokenizer) builds none.
    public var pairFlags: [UInt8]?

    /// Checks `parameters`; throws a `ParameterError` naming the offending one.
    public init(parameters: BuildParameters) throws {
        try parameters.validate()
        self.parameters = parameters
    }

    /// The tokenizer a build of `source` answers to: the one given, else the one the source
    /// records (`TokenizerChoice.forBuild`, which the commands call first, checks the two
    /// agree). Its vocabulary is the DNA's least, so that ids the statistics sample missed (a
    /// rare id, a file appended later) are inside it, and phase 2 checks every id against it.
    func tokenizer(of source: TokenSource) -> TokenizerIdentity? {
        tokenizer ?? source.tokenizer
    }

    /// Runs both phases: learns the DNA from the sample (`FrozenDNA.learn`), then scores
    /// every chunk with it.
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
        try parameters.validate(embeddings: embeddings, tokenizer: tokenizer(of: source))
        let dna = try learn(source: source, embeddings: embeddings, focusTokens: focusTokens, threads: threads)
        return try run(source: source, dna: dna, threads: threads, progress: progress)
    }

    /// Phase 1 alone: the frozen DNA of `source`.
    func learn(source: TokenSource, embeddings: TokenEmbeddings?, focusTokens: [UInt32] = [],
               threads: Int = 1) throws -> FrozenDNA {
        try FrozenDNA.learn(source: source, parameters: parameters, tokenizer: tokenizer(of: source),
                            embeddings: embeddings, focusTokens: focusTokens, threads: threads,
                            identifierShapes: identifierShapes)
    }

    /// Phase 2: scores every chunk with the frozen `dna` (chunks are independent; only the
    /// hero pool sees them in order). With `shard`, only the shard's chunks are scored (the
    /// chunks at its edges lend their neighbours), and the result carries a `ShardState`.
    ///
    /// With `append`, the result also carries the `AppendState` of its closed prefix (see
    /// there): an appendable whole index (`append.after` nil), or the part built to append
    /// to the index of `append.after`, scored from `append.startChunk` as a shard running to
    /// the corpus's end.
    func run(source: TokenSource, dna: FrozenDNA, threads: Int = 1, shard: ShardSpec? = nil,
             append: AppendPlan? = nil, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> HeroIndexContents {
        let p = parameters
        let threads = max(1, threads)
        let total = source.tokenCount
        let vocabulary = dna.statistics.vocabularySize
        let chunkCount = Int((total + UInt64(p.chunkLength) - 1) / UInt64(p.chunkLength))
        let chunks = shard?.chunks(tokenCount: total, chunkLength: p.chunkLength, fileStarts: source.fileStarts)
            ?? (append.map { min($0.startChunk, chunkCount)..<chunkCount } ?? 0..<chunkCount)
        // A range of the corpus (a shard, or a part to append) rather than all of it.
        let isPart = shard != nil || append?.after != nil
        let firstPosition = UInt64(chunks.lowerBound) * UInt64(p.chunkLength)
        let keepWhole = total <= UInt64(p.bufferTokens)
        let stage = ChampionStage(parameters: p, chunkCount: chunkCount, keepWhole: keepWhole)
        let rows = FeatureRows(dna.features)
        var driver = ChunkDriver(source: source, chunkLength: p.chunkLength, chunks: chunks,
                                 candidateLimit: p.candidateLimit, championLimit: p.perChunk,
                                 bonusMargin: dna.gates?.maximumBonus ?? 0, tables: dna.scoreTables(p, identifierShapes: identifierShapes),
                                 makePicker: { ChampionPicker(parameters: p, features: dna.features, rows: rows, gates: dna.gates) })
        driver.vocabularyLimit = tokenizer(of: source)?.vocabularySize
        driver.routeWindow = p.routeWindow > 0 ? p.effectiveRouteWindow : 0
        driver.lineBreaks = lineBreaks
        driver.pairFlags = pairFlags
        let postings = p.routeWindow > 0
            ? try WindowPostingsBuilder(vocabularySize: vocabulary, windowTokens: p.effectiveRouteWindow,
                                        listShare: p.routeListShare, name: source.name, pairFlags: pairFlags) : nil
        postings?.threads = threads
        // The closed prefix's own pool (never kept whole: an append may outgrow the buffer).
        let prefixEnd = append == nil ? nil : max(chunks.lowerBound, AppendState.boundary(tokens: total, chunkLength: p.chunkLength))
        let prefixStage = append.map { _ in ChampionStage(parameters: p, chunkCount: chunkCount, keepWhole: false) }
        if isPart && chunks.lowerBound > 0 {
            let before = try driver.scoreAlone(chunks.lowerBound - 1)
            stage.prime(with: before)
            prefixStage?.prime(with: before)
            postings?.prime(tailOf: before)
        }
        var identity = CorpusIdentityHasher(tokenCount: total, start: firstPosition)
        identity.keepsDigests = isPart || append != nil
        try driver.run(threads: threads) { result in
            stage.consume(result)
            if let prefixStage, let prefixEnd {
                if result.index < prefixEnd { prefixStage.consume(result) }
                else if result.index == prefixEnd { prefixStage.completePending(with: result) }
            }
            identity.update(UnsafeBufferPointer(rebasing: result.tokens[0..<result.count]))
            try postings?.add(result)
            progress?(result.start + UInt64(result.count), total)
        }
        if shard != nil && chunks.upperBound < chunkCount {
            let after = try driver.scoreAlone(chunks.upperBound)
            stage.completePending(with: after)
            try postings?.complete(headOf: after)
        }
        let (heroes, evicted, ranked) = stage.finish(budget: p.bufferTokens, firstPosition: firstPosition)

        var contents = HeroIndexContents()
        contents.parameters = p
        contents.parameters.featureSource = dna.parameters.featureSource
        contents.documents = source.documents
        contents.tokenizer = source.tokenizer
        contents.statistics.tokens = total
        contents.statistics.chunks = chunkCount
        contents.statistics.champions = stage.champions
        contents.statistics.evicted = evicted
        contents.statistics.keptWhole = keepWhole
        contents.dna = dna.state
        contents.assembleSpans(heroes, features: dna.features)
        guard isPart else {
            contents.fingerprint.corpus = identity.finish()
            contents.routing = try postings?.finish()
            if let append, let prefixStage, let prefixEnd {
                // The windows again, un-inverted, for the prefix's (the spill the inversion read).
                let windows = try contents.routing.map { tier in
                    ShardWindows(spill: try SectionBlob(file: postings!.spill), windowCount: tier.windowCount,
                                 lineStarts: tier.lineStarts, lineBreaks: postings!.lineBreaks, pairFilters: nil)
                }
                let state = try appendState(append, stage: prefixStage, chunks: chunks.lowerBound..<prefixEnd, chunkCount: chunkCount,
                                            keptWhole: keepWhole, digests: identity.digests, windows: windows, dna: dna)
                contents.append = state
                contents.appendWindows = windows.map { SectionBlob(prefix: state.prefixSpillBytes, of: $0.spill) } ?? SectionBlob()
            }
            return contents
        }
        identity.endStream()
        let sampled = try CorpusIdentityHasher.identity(of: source, full: false)
        contents.fingerprint.corpus = sampled
        let windows = try postings?.finishSpill() ?? ShardWindows(spill: SectionBlob(), windowCount: 0, lineStarts: nil, lineBreaks: 0)
        if let append, let prefixStage, let prefixEnd {
            contents.append = try appendState(append, stage: prefixStage, chunks: chunks.lowerBound..<prefixEnd, chunkCount: chunkCount,
                                              keptWhole: keepWhole, digests: identity.digests, windows: windows, dna: dna)
        }
        var state = ShardState(spec: shard ?? ShardSpec(index: 1, count: 1), chunks: chunks, chunkCount: chunkCount, champions: stage.champions,
                               keptWhole: keepWhole, sampleHash: sampled.sampleHash, digests: identity.digests,
                               dna: DNAFile.encode(dna), captureSpan: stage.poolWindows.span,
                               windowCount: windows.windowCount, lineStarts: windows.lineStarts, lineBreaks: windows.lineBreaks)
        state.keep(ranked, of: stage.poolWindows)
        contents.shard = state
        contents.shardWindows = windows
        return contents
    }
}

/// How a build takes part in appending (`build --appendable`, `build --after`).
struct AppendPlan {
    /// The first chunk scored: 0 for an appendable whole index, the old corpus's boundary for
    /// a part built after it.
    var startChunk: Int = 0
    /// The identity of the corpus of the index the part follows (nil: a whole index).
    var after: CorpusIdentity?
}

extension BuildPipeline {
    /// The closed prefix of a build's range, chunks `chunks` (from the range's start to the
    /// append boundary): the prefix stage's pool and count, the first block digests and
    /// routing windows.
    func appendState(_ plan: AppendPlan, stage: ChampionStage, chunks: Range<Int>, chunkCount: Int, keptWhole: Bool,
                     digests: [UInt64], windows: ShardWindows?, dna: FrozenDNA) throws -> AppendState {
        let p = parameters
        let (_, _, ranked) = stage.finish(budget: p.bufferTokens)
        let tokens = chunks.count * p.chunkLength
        let windowCount = p.routeWindow > 0 ? chunks.count * (p.chunkLength / p.effectiveRouteWindow) : 0
        let prefixWindows = windows.map { $0.prefix(windows: windowCount, bytes: 0) }
        let spillBytes = try windows.map { try AppendState.spillBytes(of: $0.spill, windows: windowCount) } ?? 0
        var prefix = ShardState(spec: ShardSpec(index: 1, count: 1), chunks: chunks, chunkCount: chunkCount,
                                champions: stage.champions, keptWhole: keptWhole, sampleHash: 0,
                                digests: Array(digests.prefix(tokens / CorpusIdentityHasher.blockTokens)), dna: [],
                                captureSpan: stage.poolWindows.span, windowCount: windowCount,
                                lineStarts: prefixWindows?.lineStarts, lineBreaks: prefixWindows?.lineBreaks ?? 0)
        prefix.keep(ranked, of: stage.poolWindows)
        return AppendState(after: plan.after, dnaHash: XXH64.hash(DNAFile.encode(dna)), prefix: prefix, prefixSpillBytes: spillBytes)
    }
}
