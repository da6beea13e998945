extension DNAState {
    /// The tables a query needs, without the build's overflow row.
    init(statistics: CorpusStatistics, features: TokenFeatures, gates: SalienceGates?, gateCount: Int) {
        self.init()
        let v = statistics.vocabularySize
        let d = features.dimension
        vocabularySize = v
        surprisal = Array(statistics.surprisal[0..<v])
        featureDimension = d
        self.features = Array(features.quantized[0..<(v * d)])
        featureScales = Array(features.scales[0..<v])
        self.gates = gates?.prototypeValues ?? [Float](repeating: 0, count: gateCount * d)
        gateConfidence = gates?.confidences ?? [Float](repeating: 0, count: gateCount)
    }
}

extension HeroIndexContents {
    /// Cuts the sorted hero positions into maximal runs of consecutive positions within one
    /// document, and fills tokens, scores, spans and span features.
    mutating func assembleSpans(_ heroes: AdmittedHeroes) {
        tokens = heroes.tokens
        scores = heroes.scores
        spans = []
        let d = dna.featureDimension
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
                let id = Int(tokens[h])
                guard id < dna.vocabularySize else { continue }
                let scale = dna.featureScales[id] / 127
                for j in 0..<d { spanFeatures[k * d + j] += Float(dna.features[id * d + j]) * scale }
            }
            for j in 0..<d { spanFeatures[k * d + j] /= Float(span.length) }
        }
        statistics.heroTokens = tokens.count
        statistics.spans = spans.count
    }
}
