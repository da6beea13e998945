/// The question's terms within an anchor's reach, for the skip bound of `PassageScorer.scan`:
/// the buffer's terms listed once, a count per lookup code over the ones in a range that
/// slides forward with the anchors (each term entering and leaving once), and what the terms
/// held can score, kept up to date as a slot comes and goes. Summing the reach afresh for
/// every anchor cost more than the passages it spared where anchors are dense.
struct HeldTerms {
    /// What each slot adds to the bound when it comes (`PassageScorer.Lookup` codes are slot + 1).
    /// Only anchor slots are tracked: the others (the words that ask, the commonest words)
    /// stand in most passages and count as held everywhere, so a window's pass lists only the
    /// rarer terms' positions.
    struct Table {
        /// The most a slot earns in a passage, as asked or in another form.
        var ceiling: [Double]
        /// A slot's weight in the looser bound (`pairBase`, its pairs at most doubling it).
        var pairBase: [Double]
        /// Whether a slot is tracked; the others are held everywhere.
        var tracked: [Bool]
        /// For each tracked slot, its pairs: the other slot and the pair's bonus (a pair of one
        /// slot twice is listed once).
        var pairs: [[(other: Int, bonus: Double)]]
        /// What the slots held everywhere add to either bound, and their pairs between them.
        var untrackedHeld: Double = 0
        var untrackedLoose: Double = 0

        init(ceiling: [Float], pairBase: [Float], pairs: [(Int, Int)], bonus: (Int) -> Float, tracked: [Bool]) {
            let slots = tracked.count
            self.ceiling = ceiling.prefix(slots).map(Double.init)
            self.pairBase = pairBase.prefix(slots).map(Double.init)
            self.tracked = tracked
            var bySlot = [[(other: Int, bonus: Double)]](repeating: [], count: slots)
            for (k, (a, b)) in pairs.enumerated() where a < slots && b < slots {
                let w = Double(bonus(k))
                if !tracked[a] && !tracked[b] { untrackedHeld += w; continue }
                if tracked[a] { bySlot[a].append((b, w)) }
                if tracked[b] && b != a { bySlot[b].append((a, w)) }
            }
            for s in 0..<slots where !tracked[s] {
                untrackedHeld += self.ceiling[s]
                untrackedLoose += self.pairBase[s]
            }
            self.pairs = bySlot
        }
    }

    /// The tracked terms of the buffer: position and lookup code, in position order.
    private let matches: [(position: Int, code: UInt16)]
    /// Occurrences of each code among `matches[first..<end]`, the terms in the range covered;
    /// form-only ids are counted apart, in `formOccurrences`, since one may credit another
    /// slot of its form than its code names.
    private let counts: UnsafeMutablePointer<Int32>
    private var first = 0, end = 0
    private(set) var formOccurrences = 0
    /// Σ ceilings of the slots held and bonuses of the pairs whose both slots are held.
    private(set) var held: Double = 0
    /// Σ `pairBase` of the slots held and of every form-only occurrence.
    private(set) var loose: Double = 0

    /// `matches`: the buffer's terms (`PassageScorer.termPositions`); `counts` holds a zero
    /// for each code.
    init(_ matches: [(position: Int, code: UInt16)], counts: UnsafeMutablePointer<Int32>, table: Table) {
        self.matches = matches
        self.counts = counts
        held = table.untrackedHeld
        loose = table.untrackedLoose
    }

    /// Moves the range covered to `next`, which starts and ends no earlier than the last one.
    mutating func cover(_ next: Range<Int>, table: Table) {
        if first == end || matches[end - 1].position < next.lowerBound {
            // Nothing held stays: let it go, and leap over the terms between (sparse anchors
            // would otherwise walk every term of the window in and out).
            while first < end {
                update(matches[first].code, table: table, adding: false)
                first += 1
            }
            var lo = end, hi = matches.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if matches[mid].position < next.lowerBound { lo = mid + 1 } else { hi = mid }
            }
            (first, end) = (lo, lo)
        }
        while end < matches.count && matches[end].position < next.upperBound {
            update(matches[end].code, table: table, adding: true)
            end += 1
        }
        while first < end && matches[first].position < next.lowerBound {
            update(matches[first].code, table: table, adding: false)
            first += 1
        }
    }

    private mutating func update(_ c: UInt16, table: Table, adding: Bool) {
        let k = Int(c & PassageScorer.Lookup.slotBits)
        if c & PassageScorer.Lookup.formBit != 0 {
            formOccurrences += adding ? 1 : -1
            loose += adding ? table.pairBase[k - 1] : -table.pairBase[k - 1]
            return
        }
        let slot = k - 1
        guard table.tracked[slot] else { return }  // (held everywhere already)
        counts[k] &+= adding ? 1 : -1
        // Only a slot that comes (0 → 1) or goes (1 → 0) changes the sums.
        guard counts[k] == (adding ? 1 : 0) else { return }
        var change = table.ceiling[slot]
        for (other, bonus) in table.pairs[slot] where other == slot || !table.tracked[other] || counts[other + 1] > 0 { change += bonus }
        held += adding ? change : -change
        loose += adding ? table.pairBase[slot] : -table.pairBase[slot]
    }
}

extension PassageScorer {
    /// The most a passage within `held`'s range can score: each slot held earns at most its
    /// ceiling and each pair whose both slots are held its bonus, or where a form-only id
    /// stands there (it may credit a slot `held` does not show), each term's `pairBase` with
    /// its pairs at most doubling it. A relative margin keeps the rounding of sums taken in
    /// different orders on the bound's side.
    func heldBound(_ held: HeldTerms) -> Float {
        let total = held.formOccurrences == 0 ? held.held : (1 + 2 * Double(Self.pairBonus)) * held.loose
        return Float(total * (1 + Double(Self.boundMargin)) / Double(max(question.totalWeight, .leastNormalMagnitude)))
    }
}
