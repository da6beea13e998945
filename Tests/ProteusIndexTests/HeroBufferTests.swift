import Testing
@testable import ProteusIndex

@Suite struct HeroBufferTests {
    @Test(arguments: [1, 5, 64])
    func poolKeepsTheBestWhateverTheOrder(keep: Int) {
        var rng = SplitMix(seed: 42)
        let offers = (0..<1_000).map { i in (score: Float(rng.next() % 50), position: UInt64(i)) }
        let best = offers.sorted { $0.score > $1.score || ($0.score == $1.score && $0.position < $1.position) }
            .prefix(keep).map(\.position)
        for order in [offers, offers.reversed(), offers.shuffled(using: &rng)] {
            let pool = HeroPool(keep: keep, span: 1)
            for o in order { _ = pool.reserve(score: o.score, position: o.position) }
            let ranked = pool.finish()
            #expect(ranked.map { pool.windows.positions[$0] } == Array(best))
            #expect(pool.dropped == UInt64(1_000 - keep))
        }
    }

    func windows(_ champions: [(position: UInt64, score: Float)], span: Int, total: UInt64) -> HeroWindows {
        let w = HeroWindows(capacity: champions.count, span: span)
        for c in champions {
            let s = w.append(position: c.position, score: c.score)
            let l = Int(min(UInt64(span), c.position)), r = Int(min(UInt64(span), total - 1 - c.position))
            for j in -l...r {
                w.set(slot: s, offset: j, token: UInt32(Int(c.position) + j) + 1_000, score: j == 0 ? c.score : 1)
            }
            w.left[s] = Int32(l)
            w.right[s] = Int32(r)
        }
        return w
    }

    @Test func overlappingWindowsMergeAndCountOnce() {
        let w = windows([(10, 9), (12, 8), (0, 7)], span: 2, total: 100)
        let heroes = admitHeroes(from: w, ranked: w.ranked(), budget: 100, span: 2)
        #expect(heroes.positions == [0, 1, 2, 8, 9, 10, 11, 12, 13, 14])
        #expect(heroes.tokens == heroes.positions.map { UInt32($0) + 1_000 })
        #expect(heroes.scores == [7, 1, 1, 1, 1, 9, 1, 8, 1, 1])
        #expect(heroes.admittedChampions == 3)
    }

    @Test func clusteredChampionsKeepTheWholeCapture() {
        // Captured ±4, span 2: 40 and 43 are 3 apart (no cluster: ±2 each); 70 and 71 are a
        // cluster (±4 each).
        let w = windows([(40, 9), (43, 8), (70, 7), (71, 6)], span: 4, total: 100)
        let heroes = admitHeroes(from: w, ranked: w.ranked(), budget: 100, span: 2)
        #expect(heroes.positions == Array(38...45) + Array(66...75))
        #expect(heroes.admittedChampions == 4)
    }

    @Test func aFullBufferTakesTheClosestNeighboursFirst() {
        let w = windows([(50, 9), (20, 8), (52, 7)], span: 3, total: 100)
        let heroes = admitHeroes(from: w, ranked: w.ranked(), budget: 10, span: 3)
        // 7 tokens around 50, then 20 with its three nearest: 20, 19, 21.
        #expect(heroes.positions == [19, 20, 21, 47, 48, 49, 50, 51, 52, 53])
        // 52 was already covered by 50's window: it counts as kept, with its own score.
        #expect(heroes.admittedChampions == 3)
        #expect(heroes.scores[8] == 7)
        let tight = admitHeroes(from: w, ranked: w.ranked(), budget: 7, span: 3)
        #expect(tight.positions == Array(47...53))
        #expect(tight.admittedChampions == 2)
    }

    @Test func aCopyOfABetterChampionsWindowTakesNoSeat() {
        // Text repeated in the corpus: 10 and 110 capture the same tokens (their windows are
        // written alike), so the copy, ranked second, is skipped and 60 gets the seat.
        let w = HeroWindows(capacity: 3, span: 2)
        for (position, score, base) in [(UInt64(10), Float(9), UInt32(500)), (110, 8, 500), (60, 7, 700)] {
            let s = w.append(position: position, score: score)
            for j in -2...2 { w.set(slot: s, offset: j, token: base + UInt32(j + 2), score: j == 0 ? score : 1) }
            w.left[s] = 2
            w.right[s] = 2
        }
        let heroes = admitHeroes(from: w, ranked: w.ranked(), budget: 10, span: 2)
        #expect(heroes.positions == Array(8...12) + Array(58...62))
        #expect(heroes.admittedChampions == 2)
    }
}
