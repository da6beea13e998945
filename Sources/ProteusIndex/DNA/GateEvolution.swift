/// Phase 1's last step: the salience gates learn what the corpus's champions look like by
/// scoring the sample's chunks in order, picking their champions with the gates as they stand
/// and teaching the gates with them (publishing on `SalienceGates.publishes(after:)`), as the
/// build once did over the whole corpus. Afterwards the gates are published a last time and
/// never change again. One thread, sample order: the same gates for any thread count.
struct GateEvolution {
    let parameters: BuildParameters
    let tables: ScoreTables
    let features: TokenFeatures
    let gates: SalienceGates

    func run(source: TokenSource, sample: StatisticsSample) throws {
        let p = parameters
        let candidateLimit = p.candidateLimit
        let scorer = ChunkScorer(tables: tables, candidateLimit: candidateLimit, championLimit: p.perChunk,
                                 bonusMargin: gates.maximumBonus)
        let picker = ChampionPicker(parameters: p, features: features, rows: FeatureRows(features), gates: gates)
        let result = ChunkResult(chunkLength: p.chunkLength, candidateLimit: candidateLimit)
        let cursor = try source.makeCursor()
        var chunk = 0
        for block in sample.blocks {
            // A sample block is cut into chunks of the build's length (a short block is one short chunk).
            var offset = 0
            while offset < block.count {
                let n = min(p.chunkLength, block.count - offset)
                let start = block.start + UInt64(offset)
                let window = try cursor.read(start: start, count: n)
                scorer.score(window, index: chunk, start: start, into: result)
                let champions = picker.pick(result)
                picker.teach(champions: champions, tokens: result.tokens, chunk: chunk)
                chunk += 1
                offset += n
            }
        }
        picker.publishFinal()
    }
}
