import Dispatch

/// Phase 1's last step: the salience gates learn what the corpus's champions look like by
/// scoring the sample's chunks in order, picking their champions with the gates as they stand
/// and teaching the gates with them (publishing on `SalienceGates.publishes(after:)`), as the
/// build once did over the whole corpus. Afterwards the gates are published a last time and
/// never change again.
///
/// Picks only see the published state, so on several threads, after each publication the
/// bonus of every id the sample holds is computed once into a table (the ids shared out
/// between the threads), the chunks up to the next publication are read, scored and picked
/// side by side, each drawing its chunk's lesson, and the lessons are taught in sample order on
/// the calling thread. One thread picks as it always did, with its picker's cache of the ids it
/// meets. The gates are the same for any thread count. (On one thread this was 0.4 s of a 2.1 s
/// build of 100M tokens, with the second core idle; each thread's picker caching its own
/// bonuses did the gates' work twice, and a table of every id of the vocabulary cost one thread
/// 40% more on the essays, which use a fifth of it.)
struct GateEvolution {
    let parameters: BuildParameters
    let tables: ScoreTables
    let features: TokenFeatures
    let gates: SalienceGates
    /// Every id the sample holds (and `vocabularySize`, the row of ids beyond it), increasing.
    let sampleIDs: [UInt32]

    /// One worker's reader, scorer and picker, kept from one run of chunks to the next.
    private final class Lane {
        let cursor: TokenCursor
        let scorer: ChunkScorer
        let picker: ChampionPicker
        let result: ChunkResult
        init(cursor: TokenCursor, scorer: ChunkScorer, picker: ChampionPicker, result: ChunkResult) {
            self.cursor = cursor
            self.scorer = scorer
            self.picker = picker
            self.result = result
        }
    }

    func run(source: TokenSource, sample: StatisticsSample, threads: Int = 1) throws {
        let p = parameters
        // A sample block is cut into chunks of the build's length (a short block is one short chunk).
        var chunks: [(start: UInt64, count: Int)] = []
        for block in sample.blocks {
            var offset = 0
            while offset < block.count {
                let n = min(p.chunkLength, block.count - offset)
                chunks.append((block.start + UInt64(offset), n))
                offset += n
            }
        }
        let rows = FeatureRows(features)
        let lanes = try (0..<max(1, min(threads, chunks.count))).map { _ in
            Lane(cursor: try source.makeCursor(),
                 scorer: ChunkScorer(tables: tables, candidateLimit: p.candidateLimit, championLimit: p.perChunk,
                                     bonusMargin: gates.maximumBonus),
                 picker: ChampionPicker(parameters: p, features: features, rows: rows, gates: gates),
                 result: ChunkResult(chunkLength: p.chunkLength, candidateLimit: p.candidateLimit))
        }
        // Several threads share a bonus table; ids missing from it (none, unless the sample and
        // the chunks disagree) are NaN, and `pick` computes theirs.
        let bonuses: UnsafeMutablePointer<Float>? = lanes.count > 1 ? .allocate(capacity: features.rowCount) : nil
        bonuses?.initialize(repeating: .nan, count: features.rowCount)
        defer { bonuses?.deallocate() }
        var first = 0
        while first < chunks.count {
            // The chunks up to and including the next one after which the gates publish.
            var last = first
            while last < chunks.count - 1 && !SalienceGates.publishes(after: last) { last += 1 }
            let run = first...last
            if let bonuses {
                let width = lanes.count, ids = sampleIDs.count
                DispatchQueue.concurrentPerform(iterations: width) { l in
                    lanes[l].picker.fillBonuses(sampleIDs[(l * ids / width)..<((l + 1) * ids / width)], into: bonuses)
                }
            }
            let lessons = try lessons(of: run, chunks: chunks, lanes: lanes, bonuses: bonuses.map { UnsafePointer($0) })
            for (k, chunk) in run.enumerated() { lanes[0].picker.teach(lessons[k], chunk: chunk) }
            first = last + 1
        }
        lanes[0].picker.publishFinal()
    }

    /// The lessons of chunks `run`, in order: lane `l` takes every `lanes.count`-th chunk.
    private func lessons(of run: ClosedRange<Int>, chunks: [(start: UInt64, count: Int)],
                         lanes: [Lane], bonuses: UnsafePointer<Float>?) throws -> [[ChampionPicker.Lesson]] {
        let count = run.count, width = min(lanes.count, count)
        // One slot per chunk and one error slot per lane, each written by one thread only.
        let lessons = UnsafeMutablePointer<[ChampionPicker.Lesson]>.allocate(capacity: count)
        lessons.initialize(repeating: [], count: count)
        let errors = UnsafeMutablePointer<Error?>.allocate(capacity: width)
        errors.initialize(repeating: nil, count: width)
        defer {
            lessons.deinitialize(count: count)
            lessons.deallocate()
            errors.deinitialize(count: width)
            errors.deallocate()
        }
        func work(_ l: Int) {
            let lane = lanes[l]
            do {
                for k in stride(from: l, to: count, by: width) {
                    let chunk = run.lowerBound + k, (start, n) = chunks[chunk]
                    let window = try lane.cursor.read(start: start, count: n)
                    lane.scorer.score(window, index: chunk, start: start, into: lane.result)
                    let champions = lane.picker.pick(lane.result, bonuses: bonuses)
                    lessons[k] = lane.picker.lesson(champions: champions, tokens: lane.result.tokens, chunk: chunk)
                }
            } catch {
                errors[l] = error
            }
        }
        if width == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: width) { work($0) } }
        for l in 0..<width { if let error = errors[l] { throw error } }
        return Array(UnsafeBufferPointer(start: lessons, count: count))
    }
}
