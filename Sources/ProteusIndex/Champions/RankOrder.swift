/// The one order of champions, heroes and answers: the higher score first, then the earlier
/// position, so every ranking is deterministic. `ChampionKey` packs the same order into
/// integers for the radix sort (a test checks the two agree).
enum RankOrder {
    @inline(__always)
    static func before(score a: Float, position pa: UInt64, score b: Float, position pb: UInt64) -> Bool {
        a > b || (a == b && pa < pb)
    }
}
