#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A question as the exact pass matches it: its distinct terms weighted by rarity, the
/// rare ones that anchor a candidate answer, and its adjacent pairs, so that a key split
/// into several tokens ("sable-lagoon-prime") scores more when its pieces stand in order.
///
/// A term is a question token together with its other spellings in the text: with or
/// without a leading space, first letter in either case ("What" at the start of a question
/// is " what" in a sentence, "magic" is "Magic" at the start of one). Its weight is the
/// surprisal of all its spellings together above a floor, so a common word weighs little
/// however the question spells it; punctuation ("?") weighs the minimum and anchors nothing.
/// A keyword of one token also meets its other regular forms ("interrupt" for "interrupts")
/// for a share of its weight (`QuestionInflections.swift`).
public struct QuestionTerms {
    /// Surprisal (bits) a token carries for free: about the log of a passage's length, so the
    /// weight is close to a passage-level inverse document frequency.
    public static let surprisalFloor: Float = 6
    /// Smallest weight, so a very common token still counts a little.
    public static let minimumWeight: Float = 0.25
    /// Weight of a word that only asks (`askingWords`): next to nothing, since the answer to
    /// "What is a kobject?" is "A kobject is...", which holds no "what".
    public static let askingWeight: Float = 0.01
    /// Terms weighing at least this anchor an answer (rarer than about 1 in 128 tokens)...
    public static let anchorWeight: Float = 1
    /// ...and at least this share of the question's heaviest term: a passage holding only a
    /// much lighter term could not compete, and looking at each of its many places costs.
    public static let anchorShare: Float = 0.25

    /// The question's tokens, in order.
    public let tokens: [UInt32]
    /// The ids each slot (distinct term, in first-seen order) matches.
    public private(set) var spellings: [[UInt32]] = []
    /// Weight of each slot.
    public private(set) var weights: [Float] = []
    /// Weight of each slot as its own token's rarity gives it, before the pieces of a word
    /// weigh as the word (`dependentPieceShare`): what its pairs' bonuses are taken from.
    public private(set) var pairBase: [Float] = []
    /// Whether each slot anchors answers.
    public private(set) var anchors: [Bool] = []
    /// Whether each slot is a keyword: a content term at least `anchorWeight` heavy, however
    /// light beside the heaviest. A sentence holding one the passage lacks joins the passage
    /// (a dictionary line's gloss holds the word its headword sentence ends before).
    public private(set) var keywords: [Bool] = []
    /// Adjacent question pairs of distinct slots, as (first slot, second slot), deduplicated.
    public private(set) var pairs: [(Int, Int)] = []
    /// Whether each pair is joined in the question (two pieces of one word, `JoinedPairs`):
    /// such a pair counts only where the text joins it too, so "sable-lagoon" is not met by
    /// "sable- lagoon", and the routing tier's pair filters bound it.
    public private(set) var pairJoined: [Bool] = []
    /// The weight each pair's bonus is a share of (`PassageScorer.pairBonus`).
    public private(set) var pairWeights: [Float] = []
    /// Whether each pair is a phrase pair: two words side by side (not joined), one of them
    /// common (lighter than `anchorWeight`: "the", "is", ","). A common word tells nothing
    /// alone, so a question that holds one quotes a phrase, and its answer holds the phrase.
    public private(set) var pairInPhrase: [Bool] = []
    /// The phrase pairs' summed `pairWeight`.
    public private(set) var phrasePairWeight: Float = 0
    /// Words of three or more pieces in the question ("sable-lagoon-prime"), each as its
    /// joined pairs in order (indices into `pairs`). The pairs of such a word earn their
    /// bonus only as one unbroken stretch in the text: the best stretch a passage holds
    /// counts, so a key beats lookalikes that share all its pairs between them.
    public private(set) var runs: [[Int]] = []
    /// For each pair, its run and place in it (nil: the pair counts on its own).
    public private(set) var runOfPair: [(run: Int, position: Int)?] = []
    /// Spellings that count only where a word starts in the text (after a token that does
    /// not end inside a word): those without leading whitespace of a term that starts a word
    /// in the question, so " number" does not match the "number" of "unnumbered", while a
    /// piece inside a question's word ("umb" of "mumbler") matches inside words too.
    public private(set) var wordStartOnly: Set<UInt32> = []
    /// The question's words as they are tokenized at the start of a line, where no space
    /// leads them ("Grazing, n." is "G" "raz" "ing", the question's " Grazing" is " Graz"
    /// "ing"): each form's ids and the slot each credits (that of the question token holding
    /// its last byte), so a dictionary's headword or a line's first word is met as the word;
    /// and as they are tokenized glued to a character before them (`formIsGlued`: "tmp.adjusted"
    /// is "tmp" ".adjust" "ed"), so code, paths and quotes hold the word too.
    public internal(set) var lineStartForms: [(ids: [UInt32], slots: [Int])] = []
    /// The ids that are no spelling of the slot they credit in a form ("G", "raz"): they
    /// match only where their whole form stands at a word start. Each with its forms and
    /// its place in each.
    public internal(set) var formPlaces: [UInt32: [(form: Int, position: Int)]] = [:]
    /// Whether each form opens with a character glued to the word (`TokenShapes.gluingCharacters`:
    /// ".adjust" "ed"), which stands after any token; a line-start form stands at a word start.
    public internal(set) var formIsGlued: [Bool] = []
    /// Whether each form opens with "_" and a letter or a digit ("_LOC" "AL" "ENTRY"), so that
    /// after a word it stands inside another identifier (`formMatch`).
    public internal(set) var formContinuesIdentifier: [Bool] = []
    /// Whether each form is inflected (`addInflectedWordForms`: it earns `inflectionShare`).
    public internal(set) var formIsInflected: [Bool] = []
    /// Whether each slot is a connector (`JoinedPairs.connector`: "-", ".", "::").
    public private(set) var connectors: [Bool] = []
    /// Whether each slot stands in the question only as the first piece of a plain word of
    /// several (" nursery" "man", " Ham" "let"): where the text's word ends after it, it is
    /// another word ("nursery school"), worth `PassageScorer.otherWordShare` of its weight.
    public private(set) var opensWordOnly: [Bool] = []
    /// Whether each slot stands in the question only inside a plain word of several pieces,
    /// after its first ("link" of "reflink", " ref" "link"): where the text's word starts with
    /// it (" link", "--link"), it is another word, worth `otherWordShare` too.
    public private(set) var goesOnWordOnly: [Bool] = []
    /// Whether each slot's token opens a compound's or an identifier's piece that goes on with
    /// more letters (".sw" "appiness"): where the text's piece goes on with other letters, it
    /// is another word (".sw" "ed" "ish" of "alt.swedish"), worth `otherWordShare` too.
    public private(set) var goesOnInPiece: [Bool] = []
    /// Whether each slot is one an answer must hold, all but the question's frame
    /// (`QuestionFrame.swift`), and whether the question has a frame at all.
    public private(set) var required: [Bool] = []
    public private(set) var framed = false
    public private(set) var requiredCount = 0
    /// The inflected forms of the keywords (`inflectedForms`): the slot each credits, and
    /// its credit (a share of the slot's weight).
    public private(set) var inflectedSlots: [UInt32: Int] = [:]
    public internal(set) var inflectionCredits: [UInt32: Float] = [:]
    /// Sum of the slot weights: a passage holding every slot (and no pair) scores 1.
    public private(set) var totalWeight: Float = 0
    /// The heaviest slot's weight.
    public private(set) var heaviestWeight: Float = 0
    /// The slot each spelling credits (extensions in other files add forms by it).
    var slotOf: [UInt32: Int] = [:]

    public init(tokens: [UInt32], lexicon: Lexicon) {
        self.tokens = tokens
        let flags = tokens.map(lexicon.joinFlags)
        let asking = Self.askingWords(tokens: tokens, flags: flags, lexicon: lexicon)
        let wordForms = Self.wordForms(tokens, flags: flags, lexicon: lexicon)
        var questionSlot: [UInt32: Int] = [:]
        var firstToken: [Int] = []  // where each slot's token first stands in the question
        for (k, id) in tokens.enumerated() where questionSlot[id] == nil {
            let occurring = lexicon.spellings(id).filter(lexicon.occurs)
            let forms = occurring.filter { slotOf[$0] == nil }
            // A token the corpus holds only as a form's pieces (a headword never met inside a
            // line) is a term too, as rare as the rarest of its line-start forms' pieces (of
            // its glued forms' when it has no other: a glued character's piece is rarer than
            // the word). One whose spellings an earlier term took ("nut" of "Gallnut" after
            // "Nutgall") is that term.
            // (A guessed mixed-case form does not weigh the word: "NuEs" is no spelling of "nues".)
            let covering = occurring.isEmpty ? wordForms.filter { $0.range.contains(k) && !$0.guessed } : []
            let lineStart = covering.filter { !Self.isGlued($0.form.ids, lexicon) }
            let formPieces = (lineStart.isEmpty ? covering : lineStart).flatMap { w in
                w.form.ids.indices.filter { w.range.lowerBound + w.form.covering[$0] == k }.map { w.form.ids[$0] }
            }
            guard !forms.isEmpty || !formPieces.isEmpty else {
                // A spelling of an earlier term is that term, in the question's pairs too: the
                // quote "...into the document. The" runs on into the next sentence's " The".
                if let taken = occurring.first(where: { slotOf[$0] != nil }) { questionSlot[id] = slotOf[taken] }
                continue
            }
            let slot = spellings.count
            questionSlot[id] = slot
            for f in forms { slotOf[f] = slot }
            if k == 0 || lexicon.startsWord(id) || !lexicon.endsInWord(tokens[k - 1]) {
                for f in forms where !lexicon.startsWord(f) { wordStartOnly.insert(f) }
            }
            spellings.append(forms)
            firstToken.append(k)
            // Surprisal of the spellings together: -log2 of the sum of their probabilities, each
            // divided by its clumping (the chance of meeting it in a passage, not per token).
            // A word of one token in its other case of one token too (" DMA" for " dma") is counted
            // in, so a rare spelling of a common word weighs little. (A form of several pieces is
            // not: its rarest piece's count, all it could go by, is often another word's.)
            let otherCase = wordForms.filter { $0.isCase && $0.range == k..<(k + 1) && $0.form.ids.count == 1 }
                .reduce(0.0) { $0 + Self.chance(of: $1.form.ids[0], lexicon) }
            let p = forms.isEmpty ? exp2(-Double(formPieces.map(lexicon.surprisal).max()!))
                                  : forms.reduce(otherCase) { $0 + Self.chance(of: $1, lexicon) }
            let content = lexicon.isContent(id)
            let w = asking[k] ? Self.askingWeight
                : content ? max(Float(-log2(p)) - Self.surprisalFloor, Self.minimumWeight) : Self.minimumWeight
            weights.append(w)
            connectors.append(lexicon.joinFlags(id) & JoinedPairs.connector != 0)
            anchors.append(content && w >= Self.anchorWeight)
            totalWeight += w
        }
        // Anchors and pairs by each token's own rarity, before a word's pieces weigh as the word.
        keywords = anchors
        let heaviest = zip(weights, anchors).filter(\.1).map(\.0).max() ?? 0
        for i in anchors.indices where weights[i] < Self.anchorShare * heaviest { anchors[i] = false }
        pairBase = weights
        let identifierPieces = tokens.map(lexicon.continuesIdentifier)
        weighAsWords(flags: flags, identifierPieces: identifierPieces, slotOfToken: tokens.map { questionSlot[$0] })
        heaviestWeight = weights.max() ?? 0
        let taken = slotOf
        (inflectedSlots, inflectionCredits) = Self.inflectedForms(tokens: tokens, flags: flags, slotOfToken: questionSlot, keywords: keywords,
                                                                  weights: weights, asking: asking, taken: { taken[$0] != nil }, lexicon: lexicon)
        var seen = Set<Int>()
        var run: [Int] = []  // the joined pairs of the word being read
        func endRun() {
            if run.count >= 2 {
                for (place, k) in run.enumerated() { runOfPair[k] = (runs.count, place) }
                runs.append(run)
            }
            run.removeAll()
        }
        let plainWord = Self.plainWordPieces(flags: flags, identifierPieces: identifierPieces)
        opensWordOnly = Self.wordOpeners(tokens: tokens, flags: flags, identifierPieces: identifierPieces,
                                         plainWord: plainWord, slotOfToken: questionSlot, slots: weights.count)
        goesOnWordOnly = Self.wordContinuers(tokens: tokens, flags: flags, identifierPieces: identifierPieces,
                                             plainWord: plainWord, slotOfToken: questionSlot, slots: weights.count)
        goesOnInPiece = Self.pieceContinuers(tokens: tokens, flags: flags, slotOfToken: questionSlot, slots: weights.count)
        for i in tokens.indices.dropFirst() {
            let a = tokens[i - 1], b = tokens[i]
            guard let sa = questionSlot[a], let sb = questionSlot[b], sa != sb, seen.insert(sa << 20 | sb).inserted else {
                endRun()  // a piece the corpus lacks, or a pair met before, ends the word's run
                continue
            }
            let joined = Self.joinsPrevious(flags, at: i)
            pairs.append((sa, sb))
            pairJoined.append(joined)
            // Two pieces of a plain word ("Phys" "iol") in order are the word, weighed already:
            // their bonus is from the pieces' shares of it. In a compound and across words it
            // is from their own weights, so a key in order beats lookalikes sharing its pieces.
            let inWord = joined && plainWord[i]
            pairWeights.append(inWord ? min(weights[sa], weights[sb]) : Self.pairWeight(sa, sb, base: pairBase, connectors: connectors))
            // A pair that asks ("What is") is no quote's: an answer need not hold it.
            let inPhrase = !joined && min(pairBase[sa], pairBase[sb]) < Self.anchorWeight
                && !asking[firstToken[sa]] && !asking[firstToken[sb]]
            pairInPhrase.append(inPhrase)
            if inPhrase { phrasePairWeight += pairWeights[pairs.count - 1] }
            runOfPair.append(nil)
            if joined { run.append(pairs.count - 1) } else { endRun() }
        }
        endRun()
        (required, framed) = Self.frame(tokens: tokens, flags: flags, firstTokens: firstToken, ownWeights: pairBase, asking: asking,
                                        pairs: pairs, pairInPhrase: pairInPhrase, lexicon: lexicon)
        requiredCount = required.filter { $0 }.count
        for (range, form, _, _) in wordForms {
            let slots = form.covering.map { questionSlot[tokens[range.lowerBound + $0]] }
            guard slots.allSatisfy({ $0 != nil }) else { continue }
            // The places of the ids that are no spelling of a term credit the word's slots there;
            // an id that is one credits its own term (" Provine" is " Prov" "ine", the headword
            // "Provine," is "Pro" "vine", and " vine" is another word of "Provine propagation vine").
            let own = form.ids.indices.filter { slotOf[form.ids[$0]] == nil }
            guard !own.isEmpty else { continue }
            for place in own { formPlaces[form.ids[place], default: []].append((lineStartForms.count, place)) }
            lineStartForms.append((form.ids, zip(form.ids, slots).map { id, slot in slotOf[id] ?? slot! }))
            formIsGlued.append(Self.isGlued(form.ids, lexicon))
            formContinuesIdentifier.append(lexicon.continuesIdentifier(form.ids[0]))
            formIsInflected.append(false)
        }
        addInflectedWordForms(flags: flags, asking: asking, questionSlot: questionSlot, lexicon: lexicon)
    }

    /// The chance of meeting `id` in a passage: its probability divided by its clumping.
    static func chance(of id: UInt32, _ lexicon: Lexicon) -> Double {
        exp2(-Double(lexicon.surprisal(id))) / Double(lexicon.clumping(id))
    }

    /// Whether a form of a word opens with a character glued to it (".adjust" "ed"): a
    /// line-start form opens with a letter or a digit.
    static func isGlued(_ form: [UInt32], _ lexicon: Lexicon) -> Bool {
        lexicon.joinFlags(form[0]) & JoinedPairs.startsWithWord == 0
    }

    /// Whether a form opens with a gluing character (".adjust" "ed", "<T" "ARG"), not with a
    /// space: `isGlued` holds for a case form after a space too (" LOCK"), which stands after
    /// any token as a glued one does, but is no glued form to leave out of a common word.
    static func opensWithGluingCharacter(_ form: [UInt32], _ lexicon: Lexicon) -> Bool {
        isGlued(form, lexicon) && !lexicon.startsWord(form[0])
    }

    /// A word of one token in at most one window in this many is rare: it keeps every form
    /// where no space leads it (`wordForms`), as a commoner one does unless it stands in most
    /// windows. (The share was chosen when a commoner word kept no such form: phrase
    /// questions at 100M tokens read a median of 110 windows with none, 129 with them from
    /// about 16 bits of surprisal, 116 from this share; with every form since, 129.5.)
    public static let rareWindowShareDivisor = 16
    /// The same without a routing tier, by surprisal (bits): about once in 262,144 tokens,
    /// one window of 16,384 tokens in 16.
    public static let rareSurprisal: Float = 18

    /// Share of its weight the heaviest piece of a word but one keeps, the next this share
    /// squared, and so on. A word in several pieces (" Hystrix" is " H" "yst" "rix") tells
    /// about as much as its rarest piece, since the others mostly come with it; summed whole,
    /// two long rare words of another line outweighed three shorter words of the asked one
    /// (BM25 weighs a word once), and with every other piece halved a word of five or more
    /// still did (natural.py's mixed questions: 560 of 599 in the top 5, 564 decaying). The
    /// pairs inside a word weigh these shares too (`pairWeights`: with their pieces' own
    /// weights, a word of two pieces in order weighed both whole again; 567 -> 579), while
    /// the pairs that join words keep the pieces' own weights (`pairBase`): they tell a key
    /// from lookalikes sharing its pieces, and halved they let a haystack of lookalike keys
    /// outrank the asked key's window.
    public static let dependentPieceShare: Float = 0.5

    /// Each word of several pieces weighs its rarest piece plus a decaying share of the others
    /// (`dependentPieceShare`). A word is a token that starts one (after a space, a connector
    /// or punctuation) and the tokens that go on inside it ("yst" "rix"), an identifier's "_"
    /// pieces too ("_CREATE" "_FUNCTION": weighed apart, a long identifier of another line
    /// outweighed the asked line's words; a compound's "-l" still starts a word); a slot is
    /// weighed by the first word holding it.
    private mutating func weighAsWords(flags: [UInt8], identifierPieces: [Bool], slotOfToken: [Int?]) {
        var weighed = Set<Int>()
        var start = 0
        for end in flags.indices.dropFirst() + [flags.count] where !flags.isEmpty {
            if end < flags.count && Self.continuesWord(flags[end - 1], flags[end], identifierPiece: identifierPieces[end]) { continue }
            defer { start = end }
            var slots: [Int] = []
            for k in start..<end {
                if let s = slotOfToken[k], !weighed.contains(s), !slots.contains(s) { slots.append(s) }
            }
            weighed.formUnion(slots)
            guard slots.count >= 2 else { continue }
            // Heaviest first (ties in the word's order); the k-th after the rarest keeps share^k.
            let byWeight = slots.enumerated().sorted { (weights[$0.1], -$0.0) > (weights[$1.1], -$1.0) }.map(\.1)
            var share: Float = 1
            for s in byWeight.dropFirst() {
                share *= Self.dependentPieceShare
                let w = max(weights[s] * share, Self.minimumWeight)
                totalWeight -= weights[s] - w
                weights[s] = w
            }
        }
    }

    /// The same question with every term an anchor (a question of stop words only, asked
    /// of the heroes, still finds the spans that hold them).
    public init(allAnchors q: QuestionTerms) {
        self = q
        for i in anchors.indices { anchors[i] = true }
        keywords = anchors
    }

    /// Every id the question matches, with its slot.
    public var matchedIDs: [(id: UInt32, slot: Int)] {
        spellings.enumerated().flatMap { slot, ids in ids.map { ($0, slot) } }
    }

    /// The slot of `id`, nil when it is not a question id.
    @inline(__always)
    public func slot(of id: UInt32) -> Int? { slotOf[id] }

    /// Whether any slot anchors answers (false for a question of stop words only).
    public var hasAnchors: Bool { anchors.contains(true) }

    public var isEmpty: Bool { spellings.isEmpty }

    /// Number of slots.
    public var count: Int { spellings.count }

    /// Weight of a pair of slots across words: the lighter of its two terms, or the word's
    /// where the other is a connector ("lively" "-" of "lively-orchard"), which weighs nothing
    /// alone but ties the compound together; by their own weights (`pairBase`).
    private static func pairWeight(_ a: Int, _ b: Int, base: [Float], connectors: [Bool]) -> Float {
        connectors[a] ? base[b] : connectors[b] ? base[a] : min(base[a], base[b])
    }
}
