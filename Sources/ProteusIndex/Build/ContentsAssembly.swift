extension DNAState {
    /// The rows of the ids the sample saw (the build's overflow row left out).
    init(statistics: CorpusStatistics, features: TokenFeatures, gates: SalienceGates?, gateCount: Int) {
        self.init()
        let v = statistics.vocabularySize
        let d = features.dimension
        vocabularySize = v
        unseenSurprisal = statistics.surprisal[v]
        featureDimension = d
        for id in 0..<v where statistics.counts[id] > 0 {
            ids.append(UInt32(id))
            surprisal.append(statistics.surprisal[id])
            self.features.append(contentsOf: features.quantized[(id * d)..<((id + 1) * d)])
            featureScales.append(features.scales[id])
        }
        self.gates = gates?.prototypeValues ?? [Float](repeating: 0, count: gateCount * d)
        gateConfidence = gates?.confidences ?? [Float](repeating: 0, count: gateCount)
    }
}

extension HeroIndexContents {
    /// What every build records around its heroes, however they were chosen: the parameters,
    /// the source's documents and tokenizer, the DNA state and the spans. The caller adds
    /// the counts of its selection (champions, evictions, kept whole).
    init(parameters: BuildParameters, source: TokenSource, heroes: AdmittedHeroes, statistics: CorpusStatistics,
         features: TokenFeatures, gates: SalienceGates?, embeddings: TokenEmbeddings?) {
        self.init()
        self.parameters = parameters
        self.parameters.featureSource = embeddings?.label ?? "cooccurrence"
        documents = source.documents
        tokenizer = source.tokenizer
        let chunkLength = UInt64(parameters.chunkLength)
        self.statistics.tokens = source.tokenCount
        self.statistics.chunks = Int((source.tokenCount + chunkLength - 1) / chunkLength)
        dna = DNAState(statistics: statistics, features: features, gates: gates, gateCount: parameters.gateCount)
        assembleSpans(heroes, features: features)
    }

    /// Cuts the sorted hero positions into maximal runs of consecutive positions within one
    /// document, and fills tokens, scores, spans and span features (from every id's features,
    /// as the build scored them).
    mutating func assembleSpans(_ heroes: AdmittedHeroes, features: TokenFeatures) {
        tokens = heroes.tokens
        scores = heroes.scores
        spans = []
        let d = features.dimension
        var i = 0
        while i < heroes.positions.count {
            let start = heroes.positions[i]
            let document = documents.document(containing: start) ?? 0
            let documentEnd = documents.starts.isEmpty ? UInt64.max
                : documents.starts[document] + documents.lengths[document]
            var j = i + 1
            while j < heroes.positions.count && heroes.positions[j] == heroes.positions[j - 1] + 1
                    && heroes.positions[j] < documentEnd { j += 1 }
            let best = heroes.scores[i..<j].max() ?? 0
            spans.append(HeroSpan(start: start, firstHero: UInt32(i), length: UInt32(j - i),
                                  document: UInt32(document), score: best))
            i = j
        }
        spanFeatures = [Float](repeating: 0, count: spans.count * d)
        for (k, span) in spans.enumerated() {
            for h in Int(span.firstHero)..<(Int(span.firstHero) + Int(span.length)) {
                let id = Int(min(tokens[h], UInt32(features.rowCount - 1)))
                for j in 0..<d { spanFeatures[k * d + j] += features.values[id * d + j] }
            }
            for j in 0..<d { spanFeatures[k * d + j] /= Float(span.length) }
        }
        statistics.heroTokens = tokens.count
        statistics.spans = spans.count
    }
}
