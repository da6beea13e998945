/// The exact pass, the same for every mode (heroes, routed windows, a full rescan): finds
/// the question's rare tokens in a run of tokens and scores the sentence or line around
/// each one.
///
/// A passage's score is the weight of the distinct question tokens it holds plus, for every
/// pair of the question's adjacent tokens that stands adjacent in the passage too, half the
/// pair's weight (`QuestionTerms.pairWeights`: the lighter token's), all divided by the
/// question's total weight. The pairs are what tell a key from a lookalike that shares some
/// of its pieces: "sable-lagoon-prime" beats "sable-lagoon-dusk" and "amber-lagoon-prime" by
/// the pairs it alone completes. The pairs of a word of three or more pieces count only as
/// one unbroken stretch (the passage's best), so those two lookalikes side by side do not
/// add up to the key either. The first piece of a question's word of several pieces, met
/// where the text's word ends after it, is another word and earns `otherWordShare` of it; so
/// is a later piece met where the text's word starts with it ("link" of "reflink" in "--link").
///
/// A passage is the sentence or line holding the anchor, at most `sentenceBack` tokens before
/// it and `sentenceForward` after, joined with the sentences of its paragraph that carry the
/// question on (its phrase running across the sentence end, or a question keyword the
/// passage lacks), reaching at most `reach` tokens from the anchor either way; where a cap
/// cuts, the cut moves to a word boundary, so a number, a UUID or a hyphenated key next to
/// the anchor comes back whole (`PassageExtent.swift`).
struct PassageScorer {
    /// How far the anchor's own sentence reaches, so that a long line is not a page.
    static let sentenceBack = 48
    static let sentenceForward = 64
    /// How far a passage reaches from its anchor with the sentences it joins: at most the
    /// reach the routing tier's window lists cover (`RoutingTier.windowReach`), so a window's
    /// bound covers every passage anchored in it. Keywords spread over a dictionary entry or
    /// a paragraph stand up to 170 tokens apart.
    let reach: Int
    /// Weight of an adjacent pair, as a share of its lighter token's weight.
    static let pairBonus: Float = 0.5
    /// Share of its weight the first piece of a question's word earns where the text's word
    /// ends after it (`QuestionTerms.opensWordOnly`): "nursery school" holds a word that
    /// shares a piece with the asked "nurseryman", not the word.
    static let otherWordShare: Float = 0.5
    /// How far above the sums of weights the skip bound of `scan` stays (float rounding).
    static let boundMargin: Float = 1e-4

    let question: QuestionTerms
    /// The documents the question's words name, whose passages hold those words by the name
    /// (`DocumentNames`): none unless the teleporter sets them.
    var names = DocumentNames.none
    /// Learns token shapes as ids are met: one per thread (`forAnotherThread`).
    private(set) var shapes: TokenShapes
    let anchorBits: [UInt64]
    /// A bit per id the skip bound of `scan` tracks (`HeldTerms`): the ids of anchor slots.
    let trackedBits: [UInt64]
    let pairIndex: [Int: Int]
    let lookup: Lookup
    /// The most an inflected form of each slot earns (0: the slot has none).
    let bestInflection: [Float]
    /// Form-only ids that are also a keyword's inflection of one token, with its slot
    /// (`inflectionOutsideItsForm`).
    let inflectionsWithForms: [UInt32: Int]
    /// What each slot adds to the skip bound of `scan` (`HeldTerms`).
    let heldTable: HeldTerms.Table

    /// Per-id slot, as a direct load for every token of a window where a dictionary would
    /// hash: one u16 per id (200 KB for cl100k, built for every question), 0 for ids the
    /// question does not hold, else the slot + 1, with the top bit set for ids that match
    /// only where a word starts (`QuestionTerms.wordStartOnly`), the next for ids that
    /// match only inside a line-start form (`QuestionTerms.formPlaces`; their slot is the
    /// heaviest they may credit), and the next for a keyword's inflected forms
    /// (`QuestionTerms.inflectedSlots`). Weights are per slot.
    final class Lookup {
        static let wordStartBit: UInt16 = 0x8000
        static let formBit: UInt16 = 0x4000
        static let inflectionBit: UInt16 = 0x2000
        static let slotBits: UInt16 = 0x1FFF
        /// Slots beyond this are left out (a question of more than 8,190 distinct terms).
        static let maximumSlots = 0x1FFE
        let count: Int
        let code: UnsafeMutablePointer<UInt16>
        /// Codes in use: 0 (no slot) and one per slot kept.
        let codeCount: Int
        init(count: Int, slots: Int) {
            self.count = count
            code = .allocate(capacity: count)
            code.initialize(repeating: 0, count: count)
            codeCount = 1 + min(slots, Self.maximumSlots)
        }
        deinit { code.deallocate() }
        @inline(__always) func slot(_ id: UInt32) -> Int { Int(id) < count ? Int(code[Int(id)] & Self.slotBits) - 1 : -1 }
        @inline(__always) func wordStartOnly(_ id: UInt32) -> Bool { code[Int(id)] & Self.wordStartBit != 0 }
        @inline(__always) func formOnly(_ id: UInt32) -> Bool { code[Int(id)] & Self.formBit != 0 }
        @inline(__always) func inflected(_ id: UInt32) -> Bool { code[Int(id)] & Self.inflectionBit != 0 }
        /// The id's code, 0 for ids the question does not hold.
        @inline(__always) func code(of id: UInt32) -> UInt16 { Int(id) < count ? code[Int(id)] : 0 }
    }

    init(question: QuestionTerms, shapes: TokenShapes, vocabularySize: Int, reach: Int = RoutingTierContents.windowReach) {
        self.reach = reach
        self.question = question
        self.shapes = shapes
        var anchor = [UInt64](repeating: 0, count: vocabularySize / 64 + 1)
        lookup = Lookup(count: vocabularySize, slots: question.count)
        for (id, slot) in question.matchedIDs where Int(id) < vocabularySize && slot < Lookup.maximumSlots {
            lookup.code[Int(id)] = UInt16(slot + 1) | (question.wordStartOnly.contains(id) ? Lookup.wordStartBit : 0)
            if question.anchors[slot] { anchor[Int(id) >> 6] |= 1 << (UInt64(id) & 63) }
        }
        for (id, slot) in question.formOnlyIDs where Int(id) < vocabularySize && slot < Lookup.maximumSlots {
            // (An id of inflected forms only earns their share: `QuestionTerms.isInflectedFormID`.)
            lookup.code[Int(id)] = UInt16(slot + 1) | Lookup.formBit | (question.isInflectedFormID(id) ? Lookup.inflectionBit : 0)
            // A form crediting any anchor slot anchors (`slot(at:)` tells which it credits).
            // (An id that is also an inflection of its slot anchors as one outside its forms.)
            let anchors = question.isInflectedFormID(id) ? question.inflectionAnchors(id)
                : question.formPlaces[id]!.contains(where: { question.anchors[question.lineStartForms[$0.form].slots[$0.position]] })
                    || (question.inflectedSlots[id] == slot && question.inflectionAnchors(id))
            if anchors {
                anchor[Int(id) >> 6] |= 1 << (UInt64(id) & 63)
            }
        }
        for (id, slot) in question.inflectedSlots where Int(id) < vocabularySize && slot < Lookup.maximumSlots && lookup.code[Int(id)] == 0 {
            lookup.code[Int(id)] = UInt16(slot + 1) | Lookup.inflectionBit
            if question.inflectionAnchors(id) { anchor[Int(id) >> 6] |= 1 << (UInt64(id) & 63) }
        }
        anchorBits = anchor
        // (Only where the inflection credits the slot the form does: the skip bound counts an
        // id for the slot of its lookup code.)
        let codes = lookup
        inflectionsWithForms = question.inflectedSlots.filter { id, slot in
            Int(id) < vocabularySize && codes.formOnly(id) && !codes.inflected(id) && codes.slot(id) == slot
        }
        // The ids the skip bound tracks: those of anchor slots, and the form-only ids that
        // anchor (the others credit only slots the bound counts as held anywhere).
        var tracked = anchor
        for id in question.matchedIDs.map({ Int($0.id) }) + question.inflectedSlots.keys.map(Int.init)
        where id < vocabularySize && lookup.code[id] != 0 && lookup.code[id] & Lookup.formBit == 0
            && question.anchors[Int(lookup.code[id] & Lookup.slotBits) - 1] {
            tracked[id >> 6] |= 1 << UInt64(id & 63)
        }
        trackedBits = tracked
        bestInflection = question.bestInflectionCredit
        heldTable = HeldTerms.Table(ceiling: zip(question.weights, question.bestInflectionCredit).map { max($0, $1) },
                                    pairBase: question.pairBase, pairs: question.pairs,
                                    bonus: { Self.pairBonus * question.pairWeights[$0] },
                                    tracked: Array(question.anchors.prefix(Lookup.maximumSlots)))
        var pairs: [Int: Int] = [:]
        for (k, (a, b)) in question.pairs.enumerated() { pairs[a << 20 | b] = k }
        pairIndex = pairs
    }

    /// The same scorer for another thread: the question's tables are shared (read only), the
    /// token-shape cache is its own (it is written as ids are met).
    func forAnotherThread() -> PassageScorer {
        var copy = self
        copy.shapes = shapes.fresh()
        return copy
    }

    /// The slot the token at `i` of `buffer` matches, -1 for none: a word-start-only
    /// spelling inside a word (after a token ending in a letter or a digit) matches nothing,
    /// and a form-only id only within its line-start form.
    @inline(__always) func slot(at i: Int, in buffer: UnsafeBufferPointer<UInt32>) -> Int {
        let id = buffer[i]
        let s = lookup.slot(id)
        guard s >= 0 else { return s }
        if lookup.formOnly(id) {
            let f = question.formSlot(at: i, in: buffer, endsInWord: shapes.endsInWord, startsInWord: shapes.startsInWord)
            return f >= 0 ? f : inflectionOutsideItsForm(at: i, in: buffer)
        }
        if lookup.wordStartOnly(id), i > 0, shapes.endsInWord(buffer[i - 1]) { return -1 }
        if lookup.inflected(id), !standsAsWord(at: i, in: buffer) { return -1 }
        return s
    }

    /// An inflected form counts as a whole word only: " interrupt" of " interruptible" is none.
    @inline(__always) private func standsAsWord(at i: Int, in buffer: UnsafeBufferPointer<UInt32>) -> Bool {
        !((i > 0 && !shapes.startsWord(buffer[i]) && shapes.endsInWord(buffer[i - 1]))
            || (i + 1 < buffer.count && (shapes.startsInWord(buffer[i + 1]) || shapes.continuesIdentifier(buffer[i + 1]))))
    }

    /// The slot a form-only id that is also one of a keyword's inflections credits as that
    /// inflection, where none of its forms stands at `i` (-1 where it is no whole word there):
    /// "count" is a piece of " counted" opening a line ("count" "ed") and, alone, "*count*".
    @inline(__always) private func inflectionOutsideItsForm(at i: Int, in buffer: UnsafeBufferPointer<UInt32>) -> Int {
        guard !inflectionsWithForms.isEmpty, let s = inflectionsWithForms[buffer[i]], standsAsWord(at: i, in: buffer) else { return -1 }
        return s
    }

    /// The slots a passage holds, by slot (its matched tokens' terms).
    func heldSlots(_ p: Passage) -> [Bool] {
        var held = [Bool](repeating: false, count: question.count)
        p.tokens.withUnsafeBufferPointer { b in
            for i in p.matchedOffsets { let s = slot(at: i, in: b); if s >= 0 { held[s] = true } }
        }
        return held
    }

    /// What `score` tells of a passage. `questionRun`: the most tokens in a row that the
    /// question has in a row (its pairs one after another), which orders passages of equal
    /// score: "class _Key, class _HF," quoted from a header holds the same terms and pairs as
    /// the next line of it, and only this tells the line quoted.
    typealias Scored = (score: Float, matched: Int, offsets: [Int], coverage: Float, phraseCoverage: Float,
                        holdsAllButTheFrame: Bool, scoreAsAsked: Float, questionRun: Int)

    /// Score of the passage `range` of `buffer`, and the offsets (from `range.lowerBound`)
    /// of the tokens that match the question. `named`: the slots its document's name holds
    /// (`DocumentNames`), each held at `otherWordShare` where the text does not hold it better.
    func score(_ buffer: UnsafeBufferPointer<UInt32>, _ range: Range<Int>, named: [Int] = [])
        -> Scored {
        // The tallies below live on the stack: this runs for every passage routing reads, and
        // five arrays a call (allocation, metadata, release) were a sixth of the exact pass.
        let slots = question.count, pairs = question.pairs.count, runs = question.runs.count
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, 2 * slots + 2 * pairs + runs)) { tallies in
            tallies.initialize(repeating: 0)
            let base = tallies.baseAddress!
            return score(buffer, range, named: named, credited: base, creditedAsAsked: base + slots, pairCredit: base + 2 * slots,
                         pairAsAsked: base + 2 * slots + pairs, bestStretch: UnsafeMutableBufferPointer(start: base + 2 * slots + 2 * pairs, count: runs))
        }
    }

    /// `score(_:_:)` with its tallies zeroed: each slot's best credit so far (its weight, or a
    /// share where it stands as another word or in another form) and the same without the
    /// inflected forms (`asAsked`); each pair's credit and whether it was met as asked (1);
    /// each run's best stretch.
    private func score(_ buffer: UnsafeBufferPointer<UInt32>, _ range: Range<Int>, named: [Int],
                       credited: UnsafeMutablePointer<Float>, creditedAsAsked: UnsafeMutablePointer<Float>,
                       pairCredit: UnsafeMutablePointer<Float>, pairAsAsked: UnsafeMutablePointer<Float>,
                       bestStretch: UnsafeMutableBufferPointer<Float>)
        -> Scored {
        var requiredHeld = 0
        let slots = question.count, pairs = question.pairs.count
        var matched = 0
        var offsets: [Int] = []
        // Room for a passage's usual matches at once, not grown one doubling at a time.
        offsets.reserveCapacity(min(range.count, 32))
        var previousSlot = -1, previousInflected = false
        var inARow = 1, mostInARow = 0  // tokens in a row that the question has in a row
        // The run pair that ended on the previous token, and its stretch's bonus so far.
        var stretch: (run: Int, position: Int, bonus: Float)?
        for i in range {
            // A form-only id's form is matched once, for its slot (as `slot(at:in:)` finds it)
            // and for where it stands.
            let formOnly = lookup.slot(buffer[i]) >= 0 && lookup.formOnly(buffer[i])
            let form = formOnly
                ? question.formMatch(at: i, in: buffer, endsInWord: shapes.endsInWord, startsInWord: shapes.startsInWord) : nil
            let inflectionOutsideForm = formOnly && form == nil ? inflectionOutsideItsForm(at: i, in: buffer) : -1
            let slot = formOnly ? form?.slot ?? inflectionOutsideForm : self.slot(at: i, in: buffer)
            guard slot >= 0 else {
                previousSlot = -1
                stretch = nil
                continue
            }
            offsets.append(i - range.lowerBound)
            mostInARow = max(mostInARow, 1)
            let weight = question.weights[slot]
            // A piece is another word's where the text's word ends after it and the question's
            // goes on, where the text's word starts with a piece the question's goes on with
            // (" link" for "reflink"), or where a compound's piece goes on with letters that are
            // not the question's ("alt.swedish" for "vm.swappiness"). A form-only id matched its whole
            // form, the word itself, but inside another identifier ("STO_PPC64_LOCALENTRY").
            let otherWord = form.map(\.insideIdentifier) ?? (question.goesOnWordOnly[slot] && i > 0
                    && (!shapes.startsInWord(buffer[i]) && !shapes.continuesIdentifier(buffer[i]) || !shapes.endsInWord(buffer[i - 1]))
                || i + 1 < buffer.count
                    && (question.opensWordOnly[slot] && !shapes.startsInWord(buffer[i + 1]) && !shapes.continuesIdentifier(buffer[i + 1])
                        || question.goesOnInPiece[slot] && shapes.startsInWord(buffer[i + 1]) && !continuesAsAsked(slot, at: i + 1, in: buffer)))
            let inflected = lookup.inflected(buffer[i]) || inflectionOutsideForm >= 0
            let credit = inflected ? question.inflectionCredits[buffer[i]] ?? 0 : otherWord ? Self.otherWordShare * weight : weight
            if credited[slot] == 0 { matched += 1 }
            if credit > credited[slot] {
                if credit == weight && question.required[slot] { requiredHeld += 1 }
                credited[slot] = credit
            }
            // How much of the question a passage holds is counted as asked: "examples" for
            // "example" is no quote found.
            if !inflected && credit > creditedAsAsked[slot] { creditedAsAsked[slot] = credit }
            var continued: (run: Int, position: Int, bonus: Float)?
            if previousSlot >= 0, let p = pairIndex[previousSlot << 20 | slot],
               !question.pairJoined[p] || JoinedPairs.joined(at: i, in: buffer, within: range, flags: shapes.joinFlags) {
                // Words side by side as inflected forms ("interrupt handling") are a share of the pair.
                let shared = inflected || previousInflected
                let bonus = Self.pairBonus * question.pairWeights[p] * (shared ? QuestionTerms.inflectionShare : 1)
                if let (run, position) = question.runOfPair[p] {
                    let before = stretch.flatMap { $0.run == run && $0.position == position - 1 ? $0.bonus : nil } ?? 0
                    continued = (run, position, before + bonus)
                    bestStretch[run] = max(bestStretch[run], before + bonus)
                } else if bonus > pairCredit[p] {
                    // (Met as inflected forms first, the pair as asked still adds the rest.)
                    pairCredit[p] = bonus
                }
                if !shared && question.runOfPair[p] == nil { pairAsAsked[p] = 1 }
                inARow += 1
                mostInARow = max(mostInARow, inARow)
            } else {
                inARow = 1
            }
            stretch = continued
            previousSlot = slot
            previousInflected = inflected
        }
        // The sums in slot, pair and run order, not in the order the tokens came: two passages
        // holding the same get the same score to the bit, and position tells them apart.
        var total: Float = 0, held: Float = 0, phraseHeld: Float = 0, asAsked: Float = 0
        for slot in 0..<slots {
            // Held by the document's name: to the score only, never to what the text holds.
            let byName = named.contains(slot) ? Self.otherWordShare * question.weights[slot] : 0
            total += max(credited[slot], byName)
            held += creditedAsAsked[slot]
        }
        asAsked = held
        for p in 0..<pairs {
            total += pairCredit[p]
            guard pairAsAsked[p] != 0 else { continue }
            let bonus = Self.pairBonus * question.pairWeights[p]
            asAsked += bonus
            if question.pairInPhrase[p] { phraseHeld += bonus }
        }
        for b in bestStretch { total += b; asAsked += b }  // (the pieces of one word, never inflected)
        let weight = question.totalWeight
        // `held` sums the same weights as `totalWeight` in another order: at most 1 but for rounding.
        let phrase = question.phrasePairWeight
        return (weight > 0 ? total / weight : 0, matched, offsets, weight > 0 ? min(1, held / weight) : 0,
                phrase > 0 ? min(1, phraseHeld / (Self.pairBonus * phrase)) : 1,
                question.framed && requiredHeld == question.requiredCount, weight > 0 ? asAsked / weight : 0, mostInARow)
    }

    /// Whether the token at `j` is one the question has right after `slot` (its pair).
    @inline(__always) private func continuesAsAsked(_ slot: Int, at j: Int, in buffer: UnsafeBufferPointer<UInt32>) -> Bool {
        let next = self.slot(at: j, in: buffer)
        return next >= 0 && pairIndex[slot << 20 | next] != nil
    }

    /// What a window may hold of a slot: the slot as asked, only an inflected form of it, or
    /// neither.
    enum SlotPresence { case absent, inflected, present }

    /// The most a passage can score holding only what `presence` says may be there of each slot.
    /// `pairMayBe` says whether joined pair `k` (of `question.pairs`) may stand joined there,
    /// `stretchMayBe` whether pairs `from...to` of a run (`question.runs`) may stand as one
    /// unbroken stretch (asked only for stretches whose pairs each may be there).
    func bound(presence: (Int) -> SlotPresence, pairMayBe: (Int) -> Bool = { _ in true },
               stretchMayBe: (_ run: Int, _ from: Int, _ to: Int) -> Bool = { _, _, _ in true }) -> Float {
        // (On the stack: this runs for every candidate window.)
        withUnsafeTemporaryAllocation(of: SlotPresence.self, capacity: question.count) { held in
            for slot in 0..<question.count { held.initializeElement(at: slot, to: presence(slot)) }
            return bound(held: UnsafeBufferPointer(held), pairMayBe: pairMayBe, stretchMayBe: stretchMayBe)
        }
    }

    private func bound(held: UnsafeBufferPointer<SlotPresence>, pairMayBe: (Int) -> Bool,
                       stretchMayBe: (_ run: Int, _ from: Int, _ to: Int) -> Bool) -> Float {
        var total: Float = 0
        for slot in 0..<question.count {
            total += held[slot] == .present ? question.weights[slot] : held[slot] == .inflected ? bestInflection[slot] : 0
        }
        func mayBe(_ k: Int) -> Bool {
            let (a, b) = question.pairs[k]
            return held[a] != .absent && held[b] != .absent && (!question.pairJoined[k] || pairMayBe(k))
        }
        for k in question.pairs.indices where question.runOfPair[k] == nil && mayBe(k) {
            let (a, b) = question.pairs[k]
            let share = held[a] == .present && held[b] == .present ? 1 : QuestionTerms.inflectionShare
            total += Self.pairBonus * question.pairWeights[k] * share
        }
        for (r, run) in question.runs.enumerated() {
            var best: Float = 0
            for from in run.indices {
                var bonus: Float = 0
                for to in from..<run.count {
                    // A stretch the window cannot hold cannot grow into one it holds.
                    guard mayBe(run[to]), to == from || stretchMayBe(r, from, to) else { break }
                    bonus += Self.pairBonus * question.pairWeights[run[to]]
                    best = max(best, bonus)
                }
            }
            total += best
        }
        return question.totalWeight > 0 ? total / question.totalWeight : 0
    }
}
