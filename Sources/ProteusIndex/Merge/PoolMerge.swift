/// The heroes of the whole corpus from the shards' ranked pools: the best `bufferTokens`
/// champions of all pools (score descending, position ascending, as `HeroPool` ranks), with
/// their captured windows, admitted exactly as the single build admits its pool. For an
/// input kept whole, the shards' heroes side by side.
enum PoolMerge {
    static func heroes(of parts: [ShardChecks.Part], parameters p: BuildParameters) throws -> AdmittedHeroes {
        let champions = parts.reduce(UInt64(0)) { $0 + $1.state.champions }
        if parts.first?.state.keptWhole == true {
            var heroes = AdmittedHeroes()
            for part in parts {
                let tokens = part.index.tokens, scores = part.index.scores
                for span in try part.index.spans() {
                    for k in 0..<Int(span.length) {
                        heroes.positions.append(span.start + UInt64(k))
                        heroes.tokens.append(tokens[Int(span.firstHero) + k])
                        heroes.scores.append(scores[Int(span.firstHero) + k])
                    }
                }
            }
            heroes.admittedChampions = champions
            return heroes
        }
        // (score, position) of every pooled champion, with where it lives.
        var entries: [(score: Float, position: UInt64, part: Int, slot: Int)] = []
        for (k, part) in parts.enumerated() {
            for (s, position) in part.state.positions.enumerated() {
                entries.append((part.state.scores[s], position, k, s))
            }
        }
        entries.sort { $0.score > $1.score || ($0.score == $1.score && $0.position < $1.position) }
        let kept = entries.prefix(p.bufferTokens)
        let span = parts.first?.state.captureSpan ?? 0
        let windows = HeroWindows(capacity: max(1, kept.count), span: span)
        for e in kept {
            let state = parts[e.part].state
            let d = windows.append(position: e.position, score: e.score)
            windows.left[d] = state.left[e.slot]
            windows.right[d] = state.right[e.slot]
            let from = e.slot * state.width
            for j in 0..<state.width {
                windows.windowTokens[d * windows.width + j] = state.windowTokens[from + j]
                windows.windowScores[d * windows.width + j] = state.windowScores[from + j]
            }
        }
        return admitHeroes(from: windows, ranked: Array(0..<kept.count), budget: p.bufferTokens,
                           span: p.uses(.spans) ? p.span : 0)
    }
}
