extension BuildPipeline {
    /// Builds index contents from exactly `positions` (sorted, distinct, absolute) instead of
    /// the DNA selection, with the same DNA state a normal build records. The evaluation uses
    /// it to give baselines (random, stride, StreamingLLM, …) the same final pass and budget
    /// as the Proteus selection. Hero scores are the tokens' corpus surprisal.
    public func run(source: TokenSource, keeping positions: [UInt64], embeddings: TokenEmbeddings? = nil) throws -> HeroIndexContents {
        let total = source.tokenCount
        if let last = positions.last, last >= total {
            throw ProteusError(.usage, "kept position \(last) is past the end of \(source.name) (\(total) tokens)")
        }
        try parameters.validate(embeddings: embeddings, tokenizer: tokenizer(of: source))
        let dna = try FrozenDNA.learn(source: source, parameters: parameters.without(.gates), tokenizer: tokenizer(of: source),
                                      embeddings: embeddings, focusTokens: [], threads: 1)
        let statistics = dna.statistics, features = dna.features
        var heroes = AdmittedHeroes()
        heroes.positions = positions
        heroes.tokens.reserveCapacity(positions.count)
        let cursor = try source.makeCursor()
        let window = 1 << 16
        var i = 0
        while i < positions.count {
            // Read the window holding positions[i] and take every kept position inside it.
            let start = positions[i]
            let tokens = try cursor.read(start: start, count: window)
            while i < positions.count && positions[i] < start + UInt64(tokens.count) {
                heroes.tokens.append(tokens[Int(positions[i] - start)])
                i += 1
            }
        }
        heroes.scores = heroes.tokens.map { Int($0) < statistics.vocabularySize ? statistics.surprisal[Int($0)] : 0 }
        heroes.admittedChampions = UInt64(positions.count)

        // No DNA signal chose these heroes: the index records none.
        var chosen = parameters
        chosen.signals = []
        var contents = HeroIndexContents(parameters: chosen, source: source, heroes: heroes, statistics: statistics,
                                         features: features, gates: nil, embeddings: embeddings)
        contents.statistics.champions = UInt64(positions.count)
        contents.statistics.keptWhole = positions.count == Int(total)
        return contents
    }
}
