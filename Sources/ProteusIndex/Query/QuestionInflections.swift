#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension QuestionTerms {
    /// Share of its weight an inflected form of a keyword earns (`Inflections`): the text's
    /// "interrupt handling" answers "how are interrupts handled", below any passage that holds
    /// the words as asked.
    public static let inflectionShare: Float = 0.5

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

    /// Whether an inflected form anchors answers: its slot does, and the form earns at least
    /// the share of an anchor's weight (a common form of a rare word would anchor everywhere).
    func inflectionAnchors(_ id: UInt32) -> Bool {
        guard let slot = inflectedSlots[id], let credit = inflectionCredits[id] else { return false }
        return anchors[slot] && credit >= Self.inflectionShare * Self.anchorWeight
    }

    /// The most any inflected form of each slot earns (0 for a slot without one).
    var bestInflectionCredit: [Float] {
        var best = [Float](repeating: 0, count: count)
        for (id, slot) in inflectedSlots { best[slot] = max(best[slot], inflectionCredits[id]!) }
        return best
    }
}
