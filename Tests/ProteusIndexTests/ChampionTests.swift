import Testing
@testable import ProteusIndex

@Suite struct ChampionTests {
    /// Scores with many ties, bucketed the way the scorer does it.
    func selector(for scores: [Float]) -> CandidateSelector {
        let s = CandidateSelector(chunkLength: scores.count)
        for x in scores { s.histogram[CandidateSelector.bucket(x)] += 1 }
        return s
    }

    func bruteForce(_ scores: [Float], _ k: Int) -> [Int32] {
        scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
            .prefix(k).map { Int32($0) }.sorted()
    }

    @Test(arguments: [1, 7, 100, 999, 1_000, 5_000])
    func histogramSelectMatchesASort(limit: Int) {
        var rng = SplitMix(seed: UInt64(limit))
        let scores = (0..<1_000).map { _ in Float(Int(rng.next() % 64)) / 8 - 2 }
        let s = selector(for: scores)
        var out = [Int32](repeating: -1, count: 1_000)
        let n = scores.withUnsafeBufferPointer { sp in
            out.withUnsafeMutableBufferPointer {
                s.select(scores: sp.baseAddress!, count: 1_000, limit: limit, keep: limit, margin: 0, into: $0.baseAddress!)
            }
        }
        #expect(n == min(limit, 1_000))
        #expect(Array(out[0..<n]).sorted() == bruteForce(scores, limit))
        #expect((0..<CandidateSelector.bucketCount).allSatisfy { s.histogram[$0] == 0 })
    }

    @Test func candidatesFarBelowTheChampionsAreLeftOut() {
        // Two champions at most, bonuses of at most 1 bit: a score more than 1 bit below the
        // 2nd best (9.9) can never win, even though the limit would take it; 9.0 still can.
        let scores: [Float] = [10, 3, 9.5, 8.6, 7, 9.9, 1, 9.0]
        let s = selector(for: scores)
        var out = [Int32](repeating: -1, count: 8)
        let n = scores.withUnsafeBufferPointer { sp in
            out.withUnsafeMutableBufferPointer {
                s.select(scores: sp.baseAddress!, count: 8, limit: 6, keep: 2, margin: 1, into: $0.baseAddress!)
            }
        }
        #expect(Array(out[0..<n]).sorted() == [0, 2, 5, 7])
    }

    @Test func championKeysSortByScoreThenPosition() {
        let items: [(Float, Int32)] = [(1.5, 7), (-3, 1), (1.5, 2), (40, 9), (0, 0), (-0.25, 5)]
        let keys = items.map { ChampionKey.make(score: $0.0, position: $0.1) }.sorted()
        #expect(keys.map(ChampionKey.position) == [9, 2, 7, 0, 5, 1])
        #expect(keys.map(ChampionKey.score) == [40, 1.5, 1.5, 0, -0.25, -3])
    }

    @Test func championKeysAgreeWithRankOrder() {
        var rng = SystemRandomNumberGenerator()
        let scores: [Float] = [-2, -0.5, 0, 0.25, 1, 1, 3.5, 100]
        for _ in 0..<2_000 {
            let (a, b) = (scores.randomElement(using: &rng)!, scores.randomElement(using: &rng)!)
            let (pa, pb) = (Int32.random(in: 0..<8, using: &rng), Int32.random(in: 0..<8, using: &rng))
            let keys = ChampionKey.make(score: a, position: pa) < ChampionKey.make(score: b, position: pb)
            #expect(keys == RankOrder.before(score: a, position: UInt64(pa), score: b, position: UInt64(pb)))
        }
    }

    func champions(_ scores: [Float], perChunk: Int, topP: Double) -> Int {
        var keys = scores.enumerated().map { ChampionKey.make(score: $0.element, position: Int32($0.offset)) }
        return keys.withUnsafeMutableBufferPointer { ChampionSelector(perChunk: perChunk, topP: topP).select($0) }
    }

    @Test func nucleusCutsAtTopP() {
        // One outlier 20 bits above the rest: it alone carries > 99.9% of the weight.
        #expect(champions([1, 2, 21, 1, 2], perChunk: 5, topP: 0.9) == 1)
        // Equal scores: each carries 1/10, so 0.9 needs nine.
        #expect(champions([Float](repeating: 3, count: 10), perChunk: 10, topP: 0.9) == 9)
        #expect(champions([Float](repeating: 3, count: 10), perChunk: 4, topP: 0.9) == 4)
        // Weights 1, 1/2, 1/4 (temperature 2 bits): 1.5 / 1.75 = 0.857 < 0.86 needs all three.
        #expect(champions([4, 2, 0], perChunk: 3, topP: 0.85) == 2)
        #expect(champions([4, 2, 0], perChunk: 3, topP: 0.86) == 3)
        #expect(champions([4, 2, 0], perChunk: 3, topP: 1) == 3)
        #expect(champions([], perChunk: 3, topP: 0.5) == 0)
    }
}

