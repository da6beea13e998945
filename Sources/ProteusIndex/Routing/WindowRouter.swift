/// Takes a question to the corpus windows worth reading, best first.
///
/// Only a window holding one of the question's anchors can hold an answer, so the
/// candidates are the windows of the anchors' lists. Each gets an upper bound on the score
/// of any passage anchored in it: the question tokens and adjacent pairs that may be
/// present. A token with a list may be present where its list says (a window's list covers
/// the reach of its passages past its edges); a token without a list (one in most windows)
/// may be present anywhere. Reading windows in bound order and stopping once the next bound
/// cannot beat the answers found is exact (block-max WAND).
struct WindowRouter {
    struct Candidate: Equatable {
        var window: Int
        var bound: Float
    }

    /// Candidate windows, highest bound first (ties: lower window first).
    static func candidates(for scorer: PassageScorer, tier: RoutingTier) throws -> [Candidate] {
        let question = scorer.question
        let windows = tier.shape.windowCount
        let words = (windows + 63) / 64
        // presence[slot]: windows where the slot may be; nil = everywhere.
        var presence: [[UInt64]?] = []
        var anchorWindows = [UInt64](repeating: 0, count: words)
        var anchorEverywhere = false
        for (slot, ids) in question.spellings.enumerated() {
            var bits: [UInt64]? = [UInt64](repeating: 0, count: words)
            for id in ids {
                guard let e = tier.entry(of: id) else { continue }
                guard tier.hasList(e) else { bits = nil; break }
                try tier.forEachWindow(of: e) { w in bits![w >> 6] |= 1 << UInt64(w & 63) }
            }
            if question.anchors[slot] {
                if let bits { for i in 0..<words { anchorWindows[i] |= bits[i] } } else { anchorEverywhere = true }
            }
            presence.append(bits)
        }
        func present(_ slot: Int, _ w: Int) -> Bool {
            guard let bits = presence[slot] else { return true }
            return bits[w >> 6] & (1 << UInt64(w & 63)) != 0
        }
        var result: [Candidate] = []
        for w in 0..<windows where anchorEverywhere || anchorWindows[w >> 6] & (1 << UInt64(w & 63)) != 0 {
            result.append(Candidate(window: w, bound: scorer.bound { present($0, w) }))
        }
        result.sort { $0.bound != $1.bound ? $0.bound > $1.bound : $0.window < $1.window }
        return result
    }
}
