/// The heroes of the merged range from the shards' ranked pools: the best `bufferTokens`
/// champions of all pools (score descending, position ascending, as `HeroPool` ranks), with
/// their captured windows, admitted exactly as the single build admits its pool. For an
/// input kept whole, the shards' heroes side by side.
enum PoolMerge {
    /// The heroes of `parts` given their merged `pool`.
    static func heroes(of parts: [ShardChecks.Part], pool: HeroWindows, parameters p: BuildParameters) throws -> AdmittedHeroes {
        let champions = parts.reduce(UInt64(0)) { $0 + $1.state.champions }
        guard parts.first?.state.keptWhole == true else {
            return admitHeroes(from: pool, ranked: Array(0..<pool.count), budget: p.bufferTokens,
                               span: p.uses(.spans) ? p.span : 0)
        }
        var heroes = AdmittedHeroes()
        for part in parts {
            let tokens = part.index.tokens, scores = part.index.scores
            for span in try part.index.spans() {
                for k in 0..<Int(span.length) where span.start + UInt64(k) < part.heroLimit {
                    heroes.positions.append(span.start + UInt64(k))
                    heroes.tokens.append(tokens[Int(span.firstHero) + k])
                    heroes.scores.append(scores[Int(span.firstHero) + k])
                }
            }
        }
        heroes.admittedChampions = champions
        return heroes
    }

    /// The merged pool: the best `bufferTokens` champions of all the parts' pools, ranked, with
    /// their captured windows (what a shard covering all the parts would have kept: a top-N
    /// with deterministic ties is associative).
    static func pool(of parts: [ShardChecks.Part], parameters p: BuildParameters) throws -> HeroWindows {
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
        for e in kept { _ = windows.append(position: e.position, score: e.score) }
        // Windows shard by shard: one shard's pool windows in memory at a time.
        for (k, part) in parts.enumerated() {
            let slots = kept.indices.filter { kept[$0].part == k }
            guard !slots.isEmpty, let state = try part.stateWithWindows() else { continue }
            for d in slots {
                let slot = kept[d].slot
                windows.left[d - kept.startIndex] = state.left[slot]
                windows.right[d - kept.startIndex] = state.right[slot]
                let from = slot * state.width, to = (d - kept.startIndex) * windows.width
                for j in 0..<state.width {
                    windows.windowTokens[to + j] = state.windowTokens[from + j]
                    windows.windowScores[to + j] = state.windowScores[from + j]
                }
            }
        }
        return windows
    }
}
