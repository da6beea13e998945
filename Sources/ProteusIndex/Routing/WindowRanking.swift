extension WindowRouter {
    /// The candidate windows in reading order, bounded exactly only as far as they are asked
    /// for: routing asks first for a few more than its cap, and for more only when it reads
    /// on. Probing a window's pair filter misses the cache (two thirds of the ranking's time
    /// on a 100M-token index), so the windows are first ordered by their bounds from the lists
    /// alone, which are never lower, and bounded exactly in that order until the next cannot
    /// come before the last one asked for. Asked for the search limit at once (513), a keyword
    /// question bounded hundreds of windows exactly and read 32.
    final class Ranking {
        let router: WindowRouter
        /// Every candidate's reading key by its list bound (`readingKey`), sorted.
        private var byLists: [UInt64] = []
        /// Where the next group of windows tied on their list bound starts in `byLists`.
        private var nextGroup = 0
        /// The group at hand: its windows' keys by likelihood (sorted, a key holding the
        /// likelihood where a reading key holds the bound), the next one to bound exactly, and
        /// the group's list bound.
        private var tied: [UInt64] = []
        private var nextTied = 0
        private var tiedBound: Float = 0
        /// Windows bounded exactly so far: the first ones asked for, in reading order, and the
        /// others (past the last `first` call's limit) unsorted, sorted in when more are asked for.
        private var settled: [Candidate] = []
        private var beyond: [Candidate] = []
        /// Windows that are candidates (hold an anchor).
        var count: Int { byLists.count }
        /// List bounds and likelihoods by what they read of a window (`listKey`,
        /// `likelihoodKey`): each is a pass over the question's slots, pairs and runs, the
        /// same for every window with the same key.
        private var listBounds: [UInt64: Float] = [:]
        private var likelihoods: [UInt64: Float] = [:]

        init(_ router: WindowRouter) {
            self.router = router
            // Reading order as one integer per window (bound descending, then window), sorted
            // without a comparator: sorting the candidates by `readingOrder` cost a process 0.8 ms.
            for w in 0..<router.tier.shape.windowCount where router.isCandidate(w) {
                byLists.append(WindowRouter.readingKey(bound: Self.memo(&listBounds, router.listKey(window: w)) { router.listBound(window: w) },
                                                       window: w))
            }
            byLists.sort()
        }

        /// `compute()`, once for each `key` (every time without one).
        private static func memo(_ table: inout [UInt64: Float], _ key: UInt64?, _ compute: () -> Float) -> Float {
            guard let key else { return compute() }
            if let known = table[key] { return known }
            let value = compute()
            table[key] = value
            return value
        }

        /// The first `limit` candidates in reading order (all of them when fewer).
        func first(_ limit: Int) -> [Candidate] {
            guard limit > 0 else { return [] }
            if !beyond.isEmpty {
                settled = (settled + beyond).sorted(by: WindowRouter.readingOrder)
                beyond = []
            }
            while true {
                if nextTied < tied.count {
                    // A window's list key (list bound, likelihood, window) never reads after its
                    // exact key, so once one cannot come before the `limit`-th, none after it can.
                    let ranked = WindowRouter.candidate(readingKey: tied[nextTied])
                    let c = Candidate(window: ranked.window, bound: tiedBound, likelihood: ranked.bound)
                    if settled.count >= limit, !WindowRouter.readingOrder(c, settled[limit - 1]) { break }
                    settle(Candidate(window: c.window, bound: router.bound(window: c.window), likelihood: c.likelihood), limit: limit)
                    nextTied += 1
                    continue
                }
                guard nextGroup < byLists.count else { break }
                // The next windows tied on their list bound, likeliest first.
                var end = nextGroup + 1
                while end < byLists.count, byLists[end] >> 32 == byLists[nextGroup] >> 32 { end += 1 }
                let listBound = WindowRouter.candidate(readingKey: byLists[nextGroup]).bound
                if settled.count >= limit, listBound < settled[limit - 1].bound { break }
                tied = byLists[nextGroup..<end].map { key in
                    let w = WindowRouter.candidate(readingKey: key).window
                    let likelihood = Self.memo(&likelihoods, router.likelihoodKey(window: w)) { router.likelihood(window: w) }
                    return WindowRouter.readingKey(bound: likelihood, window: w)
                }.sorted()
                nextTied = 0
                tiedBound = listBound
                nextGroup = end
            }
            return Array(settled.prefix(limit))
        }

        /// Takes a window bounded exactly into `settled` in reading order while it is among the
        /// first `limit`, else into `beyond` (a tie of thousands kept in order cost a copy each).
        private func settle(_ exact: Candidate, limit: Int) {
            var lo = 0, hi = min(settled.count, limit)
            while lo < hi {
                let mid = (lo + hi) / 2
                if WindowRouter.readingOrder(settled[mid], exact) { lo = mid + 1 } else { hi = mid }
            }
            guard lo < limit else { beyond.append(exact); return }
            settled.insert(exact, at: lo)
            if settled.count > limit { beyond.append(settled.removeLast()) }
        }
    }
}
