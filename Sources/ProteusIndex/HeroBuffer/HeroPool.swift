/// The champions still in the running for the hero buffer: the best `keep` by (score desc,
/// position asc), tantivy-`TopNComputer` style.
///
/// Champions are appended until `2 * keep` are held; then the best `keep` are selected and
/// the rest dropped, and the weakest survivor becomes a threshold that rejects later
/// champions without storing them. Whatever the arrival order, the survivors are exactly the
/// best `keep` champions offered. `keep = bufferTokens` is enough to fill the buffer: every
/// champion that is admitted adds at least one token.
final class HeroPool {
    let keep: Int
    private(set) var windows: HeroWindows
    private var spare: HeroWindows
    private var threshold: (score: Float, position: UInt64)?
    /// Champions dropped by selection or rejected by the threshold.
    private(set) var dropped: UInt64 = 0

    init(keep: Int, span: Int) {
        self.keep = keep
        windows = HeroWindows(capacity: 2 * keep, span: span)
        spare = HeroWindows(capacity: 2 * keep, span: span)
    }

    /// False when a champion at `position` with `score` can never be among the best `keep`.
    @inline(__always)
    func accepts(score: Float, position: UInt64) -> Bool {
        guard let t = threshold else { return true }
        return RankOrder.before(score: score, position: position, score: t.score, position: t.position)
    }

    /// Reserves a slot for an accepted champion (compacting first when full). Counts a
    /// rejection and returns nil when the threshold turns it away.
    func reserve(score: Float, position: UInt64) -> Int? {
        guard accepts(score: score, position: position) else { dropped += 1; return nil }
        if windows.isFull {
            compact()
            guard accepts(score: score, position: position) else { dropped += 1; return nil }
        }
        return windows.append(position: position, score: score)
    }

    /// Keeps the best `keep` and raises the threshold to the weakest of them.
    private func compact() {
        let order = windows.ranked()
        guard order.count > keep else { return }
        spare.removeAll()
        for s in order.prefix(keep) { spare.append(copyOf: s, from: windows) }
        dropped += UInt64(order.count - keep)
        let last = order[keep - 1]
        threshold = (windows.scores[last], windows.positions[last])
        swap(&windows, &spare)
    }

    /// The survivors in admission order (slots of `windows`).
    func finish() -> [Int] {
        let order = windows.ranked()
        if order.count > keep { dropped += UInt64(order.count - keep) }
        return Array(order.prefix(keep))
    }
}
