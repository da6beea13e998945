/// Takes a question to the corpus windows worth reading, best first.
///
/// Only a window holding one of the question's anchors can hold an answer, so the
/// candidates are the windows of the anchors' lists. Each gets an upper bound on the score
/// of any passage anchored in it: the question tokens and adjacent pairs that may be
/// present (a joined pair only where the window's pair filter may hold it). A token with a list may be present where its list says (a window's list covers
/// the reach of its passages past its edges); a token without a list (one in most windows)
/// may be present anywhere. Reading windows in bound order and stopping once the next bound
/// cannot beat the answers found is exact (block-max WAND).
struct WindowRouter {
    struct Candidate: Equatable {
        var window: Int
        var bound: Float
        /// Orders windows tied on `bound` (`WindowRouter.likelihood`).
        var likelihood: Float = 0
    }

    let scorer: PassageScorer
    let tier: RoutingTier
    /// presence[slot]: windows where the slot may be; nil = everywhere.
    private let presence: [[UInt64]?]
    /// The same for the slot's inflected forms (`QuestionTerms.inflectedSlots`); empty for a
    /// slot without any.
    private let inflectionPresence: [[UInt64]?]
    /// Windows holding an anchor (all of them when an anchor has no list).
    private let anchorWindows: [UInt64]
    private let anchorEverywhere: Bool
    /// Joined pairs: the hashes of every joined spelling of each, for the pair filters.
    private let pairHashes: [[UInt64]]?
    /// Runs: the hashes of every joined spelling of each stretch of 3 or 4 tokens.
    private let runHashes: [[[UInt64]?]]
    /// Line-start forms (`QuestionTerms.lineStartForms`) found in the corpus: the windows of
    /// each one's rarest id (nil = everywhere), the hashes of its joined pairs, and the forms
    /// crediting each slot.
    private let formBits: [[UInt64]?]
    private let formPairs: [[UInt64]]
    private let formsOfSlot: [[Int]]
    /// The same for the inflected forms of a word of several tokens (`QuestionTerms.formIsInflected`).
    private let inflectedFormsOfSlot: [[Int]]
    /// For each slot, the windows of its forms' rarest ids together (nil: some form may be
    /// anywhere), and the same for its inflected forms: what `listPresent` reads of them, a bit
    /// test a window where a slot's forms one by one (a rare word has dozens, glued to each
    /// character) were most of the ranking's time.
    private let formWindows: [[UInt64]?]
    private let inflectedFormWindows: [[UInt64]?]

    /// Reads the lists of the question's terms from the tier.
    init(scorer: PassageScorer, tier: RoutingTier) throws {
        self.scorer = scorer
        self.tier = tier
        let question = scorer.question
        let words = (tier.shape.windowCount + 63) / 64
        var presence: [[UInt64]?] = []
        var anchorWindows = [UInt64](repeating: 0, count: words)
        var anchorEverywhere = false
        for ids in question.spellings {
            guard !tier.mayBeAnywhere(ids) else { presence.append(nil); continue }
            var bits = [UInt64](repeating: 0, count: words)
            for id in ids {
                guard let e = tier.entry(of: id) else { continue }
                try tier.forEachWindow(of: e) { w in bits[w >> 6] |= 1 << UInt64(w & 63) }
            }
            presence.append(bits)
        }
        var inflectedIDs = [[UInt32]](repeating: [], count: question.count)
        for (id, slot) in question.inflectedSlots.sorted(by: { $0.key < $1.key }) { inflectedIDs[slot].append(id) }
        var inflectionPresence: [[UInt64]?] = []
        for (slot, ids) in inflectedIDs.enumerated() {
            guard !ids.isEmpty else { inflectionPresence.append([]); continue }
            guard !tier.mayBeAnywhere(ids) else {
                inflectionPresence.append(nil)
                if question.anchors[slot] && ids.contains(where: question.inflectionAnchors) { anchorEverywhere = true }
                continue
            }
            var bits = [UInt64](repeating: 0, count: words), anchoring = [UInt64](repeating: 0, count: words)
            for id in ids {
                guard let e = tier.entry(of: id) else { continue }
                let anchors = question.inflectionAnchors(id)
                try tier.forEachWindow(of: e) { w in
                    bits[w >> 6] |= 1 << UInt64(w & 63)
                    if anchors { anchoring[w >> 6] |= 1 << UInt64(w & 63) }
                }
            }
            for i in 0..<words { anchorWindows[i] |= anchoring[i] }
            inflectionPresence.append(bits)
        }
        self.inflectionPresence = inflectionPresence
        // A line-start form stands only where all its ids do, so within the list of its rarest
        // one (everywhere when none has a list; nowhere when one is not in the corpus), and
        // only where the window's pair filter may hold each of its joined pairs: "S" "V" of
        // "SV" stand in most windows, and as a list alone would take " SV" everywhere.
        var formBits: [[UInt64]?] = [], formPairs: [[UInt64]] = []
        var formsOfSlot = [[Int]](repeating: [], count: question.count), inflectedFormsOfSlot = formsOfSlot
        for (f, form) in question.lineStartForms.enumerated() {
            // A form of words that may be anywhere changes no bound: its list is not read.
            guard form.slots.contains(where: { presence[$0] != nil }) else { continue }
            let entries = form.ids.map { tier.entry(of: $0) }
            guard entries.allSatisfy({ $0 != nil }) else { continue }
            var bits: [UInt64]? = nil
            if let rarest = entries.compactMap({ $0 }).filter({ tier.hasList($0) }).min(by: { $0.windowCount < $1.windowCount }) {
                var b = [UInt64](repeating: 0, count: words)
                try tier.forEachWindow(of: rarest) { w in b[w >> 6] |= 1 << UInt64(w & 63) }
                bits = b
            }
            for slot in Set(form.slots) {
                if question.formIsInflected[f] { inflectedFormsOfSlot[slot].append(formBits.count) } else { formsOfSlot[slot].append(formBits.count) }
            }
            formBits.append(bits)
            formPairs.append(form.ids.indices.dropFirst().compactMap { j in
                JoinedPairs.mayJoin(scorer.shapes.joinFlags(form.ids[j - 1]), scorer.shapes.joinFlags(form.ids[j]))
                    ? JoinedPairs.hash(form.ids[j - 1], form.ids[j]) : nil
            })
        }
        self.formBits = formBits
        self.formPairs = formPairs
        self.formsOfSlot = formsOfSlot
        self.inflectedFormsOfSlot = inflectedFormsOfSlot
        func union(_ forms: [Int]) -> [UInt64]? {
            var bits = [UInt64](repeating: 0, count: words)
            for f in forms {
                guard let b = formBits[f] else { return nil }
                for i in 0..<words { bits[i] |= b[i] }
            }
            return bits
        }
        formWindows = formsOfSlot.map(union)
        inflectedFormWindows = inflectedFormsOfSlot.map(union)
        for slot in presence.indices where question.anchors[slot] {
            if let bits = presence[slot] { for i in 0..<words { anchorWindows[i] |= bits[i] } } else { anchorEverywhere = true }
            for f in formsOfSlot[slot] + inflectedFormsOfSlot[slot] {
                if let bits = formBits[f] { for i in 0..<words { anchorWindows[i] |= bits[i] } } else { anchorEverywhere = true }
            }
        }
        // A document whose name holds a word of the question holds it in every window it
        // overlaps (`DocumentNames`), not as an anchor: added once the anchors' windows are.
        scorer.names.forEachNamedSlot(windowTokens: tier.shape.windowTokens) { slot, windows in
            guard presence[slot] != nil else { return }
            for w in windows where w < tier.shape.windowCount { presence[slot]![w >> 6] |= 1 << UInt64(w & 63) }
        }
        self.presence = presence
        self.anchorWindows = anchorWindows
        self.anchorEverywhere = anchorEverywhere
        pairHashes = tier.pairFilters.map { _ in
            question.pairs.enumerated().map { k, pair in
                guard question.pairJoined[k] else { return [] }
                var hashes: [UInt64] = []
                for x in question.spellings[pair.0] {
                    let fx = scorer.shapes.joinFlags(x)
                    for y in question.spellings[pair.1] where JoinedPairs.mayJoin(fx, scorer.shapes.joinFlags(y)) {
                        hashes.append(JoinedPairs.hash(x, y))
                    }
                }
                // The pair as a line-start form holds it ("raz" "ing" of "Grazing").
                for form in question.lineStartForms {
                    for j in form.ids.indices.dropFirst() where form.slots[j - 1] == pair.0 && form.slots[j] == pair.1 {
                        hashes.append(JoinedPairs.hash(form.ids[j - 1], form.ids[j]))
                    }
                }
                return hashes
            }
        }
        // A run's stretches as a line-start form holds them are not looked up: a run with a
        // pair that a form holds may be anywhere its pairs may be.
        var pairsInForms = Set<Int>()
        for form in question.lineStartForms {
            for j in form.ids.indices.dropFirst() where form.slots[j - 1] != form.slots[j] {
                if let k = question.pairs.firstIndex(where: { $0 == (form.slots[j - 1], form.slots[j]) }) { pairsInForms.insert(k) }
            }
        }
        runHashes = tier.pairFilters == nil ? [] : question.runs.map { run in
            let inForm = run.contains(where: pairsInForms.contains)
            var byStretch: [[UInt64]?] = []
            for from in run.indices {
                for to in from..<run.count where (2..<JoinedPairs.longestRun).contains(to - from + 1) {
                    byStretch.append(inForm ? nil : Self.spellingHashes(of: run[from...to], question: question, shapes: scorer.shapes))
                }
            }
            return byStretch
        }
    }

    /// Whether window `w` holds one of the question's anchors (only those can hold an answer).
    func isCandidate(_ w: Int) -> Bool {
        anchorEverywhere || Self.holds(anchorWindows, w)
    }

    /// The most a passage anchored in window `w` can score; counting only the slots `holding`
    /// marks, when given (what a passage like one already found can score there).
    func bound(window w: Int, holding: [Bool]? = nil) -> Float {
        func present(_ slot: Int) -> PassageScorer.SlotPresence {
            if let holding, !holding[slot] { return .absent }
            if presence[slot].map({ Self.holds($0, w) }) ?? true || formMayStand(formsOfSlot[slot], w) { return .present }
            return inflectionMayStand(slot, w) || formMayStand(inflectedFormsOfSlot[slot], w) ? .inflected : .absent
        }
        func pairMayBe(_ k: Int) -> Bool {
            guard let pairHashes, let filters = tier.pairFilters else { return true }
            return filters.mayHold(anyOf: pairHashes[k], window: w)
        }
        func stretchMayBe(_ r: Int, _ from: Int, _ to: Int) -> Bool {
            guard let filters = tier.pairFilters else { return true }
            // Every run of `longestRun` tokens inside the stretch (or the stretch itself).
            let pairsPerRun = JoinedPairs.longestRun - 1
            let length = scorer.question.runs[r].count
            for start in from...max(from, to - pairsPerRun + 1) {
                let end = min(to, start + pairsPerRun - 1)
                guard let hashes = runHashes[r][Self.stretchSlot(from: start, to: end, runLength: length)] else { continue }
                if !filters.mayHold(anyOf: hashes, window: w) { return false }
            }
            return true
        }
        return scorer.bound(presence: present, pairMayBe: pairMayBe, stretchMayBe: stretchMayBe)
    }

    /// The most a passage anchored in window `w` can score by the lists alone, every pair
    /// taken as joined where both its tokens may be: never below `bound(window:)`, and found
    /// without touching the window's pair filter.
    func listBound(window w: Int) -> Float {
        scorer.bound(presence: { listPresent($0, w) })
    }

    /// What `listBound(window:)` reads of window `w`, as a key (two bits a slot: absent,
    /// inflected, present), nil for a question of more than 32 slots. Windows share a few
    /// keys (3^n at most for n slots), so their bounds are computed once a key (`Ranking`).
    func listKey(window w: Int) -> UInt64? {
        guard scorer.question.count <= 32 else { return nil }
        var key: UInt64 = 0
        for slot in 0..<scorer.question.count {
            switch listPresent(slot, w) {
            case .absent: break
            case .inflected: key |= 1 << UInt64(2 * slot)
            case .present: key |= 2 << UInt64(2 * slot)
            }
        }
        return key
    }

    /// What `likelihood(window:)` reads of window `w`, as a key (a bit a slot), nil for a
    /// question of more than 64 slots.
    func likelihoodKey(window w: Int) -> UInt64? {
        guard scorer.question.count <= 64 else { return nil }
        var key: UInt64 = 0
        for slot in 0..<scorer.question.count where presence[slot].map({ Self.holds($0, w) }) ?? true { key |= 1 << UInt64(slot) }
        return key
    }

    /// Whether the slot may be in window `w` by the lists alone: a spelling's, or the rarest
    /// id's of a line-start form crediting it.
    private func listPresent(_ slot: Int, _ w: Int) -> PassageScorer.SlotPresence {
        if presence[slot].map({ Self.holds($0, w) }) ?? true { return .present }
        if formWindows[slot].map({ Self.holds($0, w) }) ?? true { return .present }
        return inflectionMayStand(slot, w) || inflectedFormWindows[slot].map({ Self.holds($0, w) }) ?? true ? .inflected : .absent
    }

    /// Whether an inflected form of the slot may be in window `w`.
    private func inflectionMayStand(_ slot: Int, _ w: Int) -> Bool {
        guard let bits = inflectionPresence[slot] else { return true }
        return !bits.isEmpty && Self.holds(bits, w)
    }

    /// Whether one of `forms` (a slot's line-start forms, or its inflected forms) may stand in
    /// window `w`: its rarest id listed there and its joined pairs in the window's filter.
    private func formMayStand(_ forms: [Int], _ w: Int) -> Bool {
        forms.contains { f in
            guard formBits[f].map({ Self.holds($0, w) }) ?? true else { return false }
            guard let filters = tier.pairFilters else { return true }
            let filter = filters.filter(w)
            return formPairs[f].allSatisfy { JoinedPairs.mayContain($0, in: filter) }
        }
    }

    /// The best `limit` candidate windows in reading order (`readingOrder`), and how many
    /// windows are candidates in all (`Ranking`, asked once).
    func candidates(limit: Int) -> (best: [Candidate], count: Int) {
        let ranking = Ranking(self)
        return (ranking.first(limit), ranking.count)
    }

    /// A key whose integer order is `readingOrder`: a bound's bits (bounds are never negative,
    /// so their bit patterns order as they do) inverted above, the window below.
    static func readingKey(bound: Float, window: Int) -> UInt64 {
        precondition(window >= 0 && window <= Int(UInt32.max), "window \(window) past a routing key")
        return UInt64(UInt32.max - max(bound, 0).bitPattern) << 32 | UInt64(window)
    }

    static func candidate(readingKey key: UInt64) -> Candidate {
        Candidate(window: Int(key & 0xFFFF_FFFF), bound: Float(bitPattern: UInt32.max - UInt32(key >> 32)))
    }

    /// The windows that may hold a passage scoring at least `least` with only the slots
    /// `holding` marks (passages like one already found), likeliest first (ties: higher whole
    /// bound first, then window order), at most `limit`, leaving out `excluded`.
    func windows(like holding: [Bool], scoringAtLeast least: Float, limit: Int, excluding excluded: Set<Int>) -> [Candidate] {
        // A first test from the slots' lists alone: the held slots present, with every bonus
        // of their pairs (most windows lack a rare one and fail it without a filter probed).
        let question = scorer.question
        var bonuses: Float = 0
        for (k, (a, b)) in question.pairs.enumerated() where holding[a] && holding[b] { bonuses += PassageScorer.pairBonus * question.pairWeights[k] }
        let held = (0..<question.count).filter { holding[$0] }
        let needed = least * question.totalWeight
        var like: [(candidate: Candidate, likeness: Float)] = []
        for w in 0..<tier.shape.windowCount where isCandidate(w) && !excluded.contains(w) {
            var most = bonuses
            for slot in held {
                switch listPresent(slot, w) {
                case .present: most += question.weights[slot]
                case .inflected: most += scorer.bestInflection[slot]
                case .absent: break
                }
            }
            if most < needed * (1 - AnswerCollector.tieTolerance) { continue }
            let likeness = bound(window: w, holding: holding)
            if likeness >= least { like.append((Candidate(window: w, bound: bound(window: w), likelihood: likelihood(window: w)), likeness)) }
        }
        like.sort { $0.likeness != $1.likeness ? $0.likeness > $1.likeness : Self.readingOrder($0.candidate, $1.candidate) }
        return like.prefix(limit).map(\.candidate)
    }

    /// Reading order: highest bound first; among ties the likeliest first, then window order
    /// (a frame's windows together).
    static func readingOrder(_ a: Candidate, _ b: Candidate) -> Bool {
        if a.bound != b.bound { return a.bound > b.bound }
        return a.likelihood != b.likelihood ? a.likelihood > b.likelihood : a.window < b.window
    }

    /// How likely window `w` is to hold the question's text, among windows tied on their
    /// bound: the bound of the question's spellings where the lists name them, no other form
    /// counted. Words in many windows tie there on their bound, many only because a rare
    /// word's line-start or glued form passed the window's pair filter; a window where the
    /// word itself stands is likelier (100 keyword and 100 quote questions at 100M tokens
    /// read 10% and 3% fewer windows, each kind answered one more; 20M real tokens gave the
    /// same answers).
    func likelihood(window w: Int) -> Float {
        scorer.bound(presence: { slot in presence[slot].map { Self.holds($0, w) } ?? true ? .present : .absent })
    }

    /// Whether window `w`'s bit is set in `bits` (a bit per window).
    @inline(__always)
    private static func holds(_ bits: [UInt64], _ w: Int) -> Bool {
        bits[w >> 6] & (1 << UInt64(w & 63)) != 0
    }

    /// Where the stretch `from...to` (2 or 3 pairs) sits among a run's stretches, in the
    /// order `candidates` lists them.
    static func stretchSlot(from: Int, to: Int, runLength: Int) -> Int {
        var slot = 0
        for f in 0..<runLength {
            for t in f..<runLength where (2..<JoinedPairs.longestRun).contains(t - f + 1) {
                if f == from && t == to { return slot }
                slot += 1
            }
        }
        preconditionFailure("stretch \(from)...\(to) of a run of \(runLength) pairs")
    }

    /// Most spellings of one stretch looked up; past this the stretch is taken to be anywhere.
    static let spellingLimit = 64

    /// The hashes of the joined spellings of the tokens of consecutive run pairs `pairs`
    /// (nil when there are more than `spellingLimit`, or when the filters do not keep them).
    static func spellingHashes(of pairs: ArraySlice<Int>, question: QuestionTerms, shapes: TokenShapes) -> [UInt64]? {
        var slots = [question.pairs[pairs.first!].0]
        for k in pairs { slots.append(question.pairs[k].1) }
        var runs: [[UInt32]] = question.spellings[slots[0]].map { [$0] }
        for slot in slots.dropFirst() {
            var longer: [[UInt32]] = []
            for run in runs {
                let lead = shapes.joinFlags(run.last!)
                for y in question.spellings[slot] where JoinedPairs.mayJoin(lead, shapes.joinFlags(y)) { longer.append(run + [y]) }
            }
            if longer.count > spellingLimit { return nil }
            runs = longer
        }
        // A spelling the filters do not keep as a run cannot be looked up.
        guard runs.allSatisfy({ JoinedPairs.keepsRun(flagsAfterFirst: $0.dropFirst().map { shapes.joinFlags($0) }) }) else { return nil }
        return runs.map { JoinedPairs.hash(run: $0) }
    }
}
