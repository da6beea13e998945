/// The DNA every token is scored with, learned once and then frozen: corpus statistics and
/// token features from the deterministic sample, and salience gates evolved over the sample's
/// champions. Phase 1 of a build (or `learn`, which writes it to a `.dna` file); phase 2
/// scores every chunk with it independently, which is what lets chunks run on any thread and
/// shards on any machine.
struct FrozenDNA {
    /// The parameters it was learned with (those in `DNACompatibility.learnedFields` must
    /// match any build that reuses it).
    var parameters: BuildParameters
    /// The tokenizer of the corpus it was learned from; nil for raw ids.
    var tokenizer: TokenizerIdentity?
    /// Tokens of the corpus it was learned from (the sample's positions depend on it).
    var learnedTokens: UInt64
    let statistics: CorpusStatistics
    let features: TokenFeatures
    /// Frozen gates; nil when the gates signal is off or there are none.
    let gates: SalienceGates?

    /// Phase 1: statistics and features from the sample, then the gates evolved over the
    /// champions of the sample's chunks (in sample order), then frozen.
    static func learn(source: TokenSource, parameters p: BuildParameters, tokenizer: TokenizerIdentity?,
                      embeddings: TokenEmbeddings?, focusTokens: [UInt32], threads: Int,
                      identifierShapes: [Bool]? = nil) throws -> FrozenDNA {
        let sample = StatisticsSample(tokenCount: source.tokenCount, sampleTokens: p.statisticsSampleTokens)
        let minimumVocabulary = max(Int(tokenizer?.vocabularySize ?? 0), embeddings?.rows ?? 0)
        let statistics = try CorpusStatistics(source: source, sample: sample, minimumVocabulary: minimumVocabulary,
                                              threads: threads)
        let features: TokenFeatures
        if let embeddings {
            features = TokenFeatures.from(embeddings, vocabularySize: statistics.vocabularySize)
        } else {
            features = try TokenFeatures.learn(source: source, sample: sample, vocabularySize: statistics.vocabularySize,
                                               dimension: p.featureDimension, threads: threads)
        }
        var parameters = p
        parameters.featureSource = embeddings?.label ?? "cooccurrence"
        var gates: SalienceGates?
        if p.uses(.gates) && p.gateCount > 0 {
            var seen = Set<UInt32>()
            var rows: [[Float]] = []
            let vocabulary = statistics.vocabularySize
            for t in focusTokens where seen.insert(t).inserted {
                let base = Int(min(t, UInt32(vocabulary))) * features.dimension
                rows.append(Array(features.values[base..<(base + features.dimension)]))
            }
            let evolving = SalienceGates(count: p.gateCount, dimension: features.dimension, focusRows: rows)
            let tables = ScoreTables(surprisal: statistics.surprisal, vocabularySize: statistics.vocabularySize,
                                     chunkLength: p.chunkLength, useSurprisal: p.uses(.surprisal),
                                     burstiness: p.uses(.burstiness), identifierShapes: p.uses(.shapes) ? identifierShapes : nil)
            let sampleIDs = (0..<statistics.vocabularySize).filter { statistics.counts[$0] > 0 }.map(UInt32.init)
                + [UInt32(statistics.vocabularySize)]
            try GateEvolution(parameters: p, tables: tables, features: features, gates: evolving, sampleIDs: sampleIDs)
                .run(source: source, sample: sample, threads: threads)
            gates = evolving
        }
        return FrozenDNA(parameters: parameters, tokenizer: tokenizer, learnedTokens: source.tokenCount,
                         statistics: statistics, features: features, gates: gates)
    }

    /// The cheap per-token score tables of this DNA under `parameters` (`identifierShapes`
    /// from the tokenizer the DNA's identity names, for the shapes signal).
    func scoreTables(_ p: BuildParameters, identifierShapes: [Bool]?) -> ScoreTables {
        ScoreTables(surprisal: statistics.surprisal, vocabularySize: statistics.vocabularySize,
                    chunkLength: p.chunkLength, useSurprisal: p.uses(.surprisal), burstiness: p.uses(.burstiness),
                    identifierShapes: p.uses(.shapes) ? identifierShapes : nil)
    }

    /// What the index records of it.
    var state: DNAState {
        DNAState(statistics: statistics, features: features, gates: gates, gateCount: parameters.gateCount)
    }
}
