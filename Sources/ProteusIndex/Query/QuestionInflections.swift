#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension QuestionTerms {
    /// Share of its weight an inflected form of a keyword earns (`Inflections`): the text's
    /// "interrupt handling" answers "how are interrupts handled", below any passage that holds
    /// the words as asked. At 0.5 a passage holding three asked words in other forms lost to
    /// one holding two of them as asked (natural.py's inflected questions: 402 of 540, 446 now).
    public static let inflectionShare: Float = 0.7

    /// The inflected forms of the question's keywords that the corpus holds: each id with the
    /// slot it credits and its credit, `inflectionShare` of the lighter of the keyword's weight
    /// and its own (a common form of a rare word tells less than the word). Only a keyword that
    /// is a word of one token on its own gets them: a piece of a compound or of a key
    /// ("sable-lagoon-prime") is matched as asked.
    static func inflectedForms(tokens: [UInt32], flags: [UInt8], slotOfToken: [UInt32: Int], keywords: [Bool],
                               weights: [Float], asking: [Bool], taken: (UInt32) -> Bool,
                               lexicon: Lexicon) -> (slots: [UInt32: Int], credits: [UInt32: Float]) {
        var slots: [UInt32: Int] = [:], credits: [UInt32: Float] = [:]
        for (k, id) in tokens.enumerated() {
            guard let slot = slotOfToken[id], keywords[slot], !asking[k], k == 0 || lexicon.startsWord(id),
                  k == 0 || !joinsPrevious(flags, at: k), k + 1 == tokens.count || !joinsPrevious(flags, at: k + 1) else { continue }
            for form in lexicon.inflections(id) where lexicon.occurs(form) && !taken(form) && slots[form] == nil {
                let p = lexicon.spellings(form).filter(lexicon.occurs).reduce(0.0) { $0 + chance(of: $1, lexicon) }
                let own = p > 0 ? max(Float(-log2(p)) - surprisalFloor, minimumWeight) : weights[slot]
                slots[form] = slot
                credits[form] = inflectionShare * min(weights[slot], own)
            }
        }
        return (slots, credits)
    }

    /// The inflected forms of several tokens of the question's keywords (" Televisions" is
    /// " Tele" "visions", " Television" one token; " polynomial" one, " polynomials" " pol"
    /// "ynomials"), as forms (`lineStartForms`) whose own ids
    /// credit the word's heaviest slot with `inflectionShare` of its weight, where the whole
    /// form stands. A form whose ids another slot spells, or that an as-asked form holds, is
    /// left out (an id credits one slot, one way).
    mutating func addInflectedWordForms(flags: [UInt8], asking: [Bool], questionSlot: [UInt32: Int], lexicon: Lexicon) {
        var start = 0
        for end in tokens.indices.dropFirst() + [tokens.count] where !tokens.isEmpty {
            if end < tokens.count && Self.joinsPrevious(flags, at: end) { continue }
            defer { start = end }
            guard lexicon.startsWord(tokens[start]), !(start..<end).contains(where: { asking[$0] }) else { continue }
            let wordSlots = (start..<end).compactMap { questionSlot[tokens[$0]] }
            guard let heaviest = wordSlots.max(by: { weights[$0] < weights[$1] }), keywords[heaviest] else { continue }
            for ids in lexicon.inflectedForms(tokens[start..<end]) where ids.allSatisfy(lexicon.occurs) {
                let own = ids.indices.filter { slotOf[ids[$0]] == nil }
                // A word of one token: not its own spelling or another form with more after it
                // (" hint" "eds" of "hinted"), whose ids earn their credit as forms of one token;
                // and, as its line-start forms, only a form that brings a rare piece (" pol"
                // "ynomials"): the rules guess forms no text holds, and one of common pieces
                // (" indic" "at" "ored") would stand in many windows' bounds.
                let oneToken = end - start == 1
                guard !oneToken || (slotOf[ids[0]] == nil && !ids.contains { inflectedSlots[$0] != nil }
                                    && ids.contains { slotOf[$0] == nil && lexicon.isRare($0) }),
                      !own.isEmpty, ids.allSatisfy({ slotOf[$0].map(wordSlots.contains) ?? true }),
                      own.allSatisfy({ formPlaces[ids[$0]].map { $0.allSatisfy { formIsInflected[$0.form] } } ?? true }),
                      !lineStartForms.contains(where: { $0.ids == ids }) else { continue }
                for place in own {
                    formPlaces[ids[place], default: []].append((lineStartForms.count, place))
                    inflectionCredits[ids[place]] = Self.inflectionShare * weights[heaviest]
                }
                lineStartForms.append((ids, [Int](repeating: heaviest, count: ids.count)))
                formIsGlued.append(Self.isGlued(ids, lexicon))
                formContinuesIdentifier.append(lexicon.continuesIdentifier(ids[0]))
                formIsInflected.append(true)
            }
        }
    }

    /// Whether a form-only id stands only in inflected forms (it earns their share).
    func isInflectedFormID(_ id: UInt32) -> Bool {
        formPlaces[id].map { $0.allSatisfy { formIsInflected[$0.form] } } ?? false
    }

    /// Whether an inflected form's id anchors answers: its slot does, and the form earns at
    /// least the share of an anchor's weight (a common form of a rare word would anchor
    /// everywhere) and `anchorShare` of the heaviest term's, as a term must to anchor.
    func inflectionAnchors(_ id: UInt32) -> Bool {
        guard let slot = inflectedSlots[id] ?? formPlaces[id]?.first.map({ lineStartForms[$0.form].slots[$0.position] }),
              let credit = inflectionCredits[id] else { return false }
        return anchors[slot] && credit >= max(Self.inflectionShare * Self.anchorWeight, Self.anchorShare * heaviestWeight)
    }

    /// The most any inflected form of each slot earns (0 for a slot without one).
    var bestInflectionCredit: [Float] {
        var best = [Float](repeating: 0, count: count)
        for (id, slot) in inflectedSlots { best[slot] = max(best[slot], inflectionCredits[id]!) }
        for (f, form) in lineStartForms.enumerated() where formIsInflected[f] {
            for slot in form.slots { best[slot] = max(best[slot], Self.inflectionShare * weights[slot]) }
        }
        return best
    }
}
