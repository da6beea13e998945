/// How a question's tokens group into words: the rules `QuestionTerms` weighs and pairs them by.
extension QuestionTerms {
    /// Whether the token at `i` of a question with join flags `flags` is joined to the one
    /// before it (`JoinedPairs`: two pieces of one word or compound).
    static func joinsPrevious(_ flags: [UInt8], at i: Int) -> Bool {
        JoinedPairs.joined(before: i >= 2 ? flags[i - 2] : 0, flags[i - 1], flags[i],
                           after: i + 1 < flags.count ? flags[i + 1] : 0)
    }

    /// Whether the token at `k` of a question (with join flags `flags`) is a word of one token: joined
    /// to neither neighbour.
    static func standsAlone(_ flags: [UInt8], at k: Int) -> Bool {
        (k == 0 || !joinsPrevious(flags, at: k)) && (k + 1 == flags.count || !joinsPrevious(flags, at: k + 1))
    }

    /// The English words that open a question...
    static let interrogatives: Set<String> = ["what", "who", "whom", "whose", "which", "when", "where", "why", "how"]
    /// ...the auxiliaries and pronouns that may follow them before what is asked about
    /// ("What does", "how do I", "Who is")...
    static let askingFollowers: Set<String> = ["is", "are", "was", "were", "am", "be", "do", "does", "did", "can", "could",
                                               "should", "would", "will", "shall", "may", "might", "must", "has", "have",
                                               "had", "i", "we", "you", "one"]
    /// ...and the verb that closes "what does X mean" or "what does X do" (or "stand for").
    static let meaningVerbs: Set<String> = ["mean", "means", "do"]
    /// The participles that close "where is X explained": the text says where by saying it,
    /// not by the word.
    static let whereVerbs: Set<String> = ["explained", "described", "documented", "discussed", "mentioned", "covered"]
    /// The verbs that close "how do X and Y relate" or "how does X work": the text answers by
    /// relating them, rarely by the word (" relate", in 117 of the 1,231 windows of the
    /// evaluation's real text, weighed as much as the words asked about).
    static let howVerbs: Set<String> = ["relate", "compare", "differ", "interact", "work", "connect"]

    /// The words of a request that opens a question instead of an interrogative: "Tell me
    /// about", "Tell me", "Show me". On a corpus of code " me" is rare (29 of 168 windows of
    /// the Python standard library), so "Tell me about spaces, indent and Return." was a
    /// question about " me". ("Explain" opening a question is two tokens, "Ex" "plain".)
    static func requestOpening(_ words: [String?]) -> Int {
        guard let first = words.first ?? nil, ["tell", "show"].contains(first), words.count > 2, words[1] == "me" else { return 0 }
        return words[2] == "about" && words.count > 3 ? 3 : 2
    }

    /// For each token, whether it only asks: a request opening the question
    /// (`requestOpening`), or an opening interrogative of one token with the auxiliaries and
    /// pronouns right after it (at least one: "Why synch keep" is three keywords) and the
    /// participle or verb that closes "where is X explained", "how do X relate" or "what does
    /// X mean" ("stand for"); and a closing "?" (the answer ends in "."; as a pair, "kobject?"
    /// made "A kobject is..." a paraphrase). They weigh next to nothing (`askingWeight`), their pairs are no
    /// quote's, and they belong to the frame: summed by their rarity, "what", "does" and
    /// "mean" outweighed "supernatural", and "What does this mean for regexps?" outranked the
    /// dictionary's entry for it.
    static func askingWords(tokens: [UInt32], flags: [UInt8], lexicon: Lexicon) -> [Bool] {
        var asking = [Bool](repeating: false, count: tokens.count)
        guard var last = tokens.indices.last else { return asking }
        if last > 0 && lexicon.word(tokens[last]) == "?" { asking[last] = true }
        func word(_ k: Int) -> String? { standsAlone(flags, at: k) ? lexicon.word(tokens[k]) : nil }
        let request = requestOpening(tokens.indices.prefix(4).map(word))
        for i in 0..<request { asking[i] = true }
        guard request == 0, let first = word(0), interrogatives.contains(first) else { return asking }
        var k = 1
        while k < tokens.count, let w = word(k), askingFollowers.contains(w) { k += 1 }
        guard k > 1 else { return asking }
        for i in 0..<k { asking[i] = true }
        while last > k && !lexicon.isContent(tokens[last]) { last -= 1 }
        if first == "where", last > k, let w = word(last), whereVerbs.contains(w) { asking[last] = true }
        if first == "how", last > k, let w = word(last), howVerbs.contains(w) { asking[last] = true }
        guard first == "what", let auxiliary = word(1), ["do", "does", "did"].contains(auxiliary) else { return asking }
        if last > k, let w = word(last), meaningVerbs.contains(w) { asking[last] = true }
        if last > k + 1, word(last) == "for", word(last - 1) == "stand" { asking[last - 1] = true; asking[last] = true }
        return asking
    }

    /// Whether each token belongs to a plain word: its joined tokens (`JoinedPairs`) are one
    /// word for weighing (`continuesWord`), no compound of several ("sable-lagoon-prime",
    /// whose pairs tell it from the lookalikes in a haystack of keys).
    static func plainWordPieces(flags: [UInt8], identifierPieces: [Bool]) -> [Bool] {
        var plain = [Bool](repeating: true, count: flags.count)
        var start = 0, oneWord = true
        for end in flags.indices.dropFirst() + [flags.count] where !flags.isEmpty {
            if end < flags.count && joinsPrevious(flags, at: end) {
                oneWord = oneWord && continuesWord(flags[end - 1], flags[end], identifierPiece: identifierPieces[end])
                continue
            }
            for k in start..<end { plain[k] = oneWord }
            (start, oneWord) = (end, true)
        }
        return plain
    }

    /// Whether a token with flags `b` goes on the word of the token with flags `a` before it:
    /// `a` ends in a letter or a digit and is no connector, and `b` starts with one, with no
    /// space between ("H" "yst"; not "-" "orch", nor "sable" "-l").
    static func continuesWord(_ a: UInt8, _ b: UInt8, identifierPiece: Bool) -> Bool {
        a & JoinedPairs.canLead != 0 && a & JoinedPairs.connector == 0
            && b & JoinedPairs.canFollow != 0 && (b & JoinedPairs.startsWithWord != 0 || identifierPiece)
    }

    /// For each slot, whether its token opens a piece of a compound or an identifier and every
    /// place of it in the question has the next token go on with the piece's letters
    /// (`goesOnInPiece`): ".sw" of "vm" ".sw" "appiness", "-l" of "sable" "-l" "agoon". A plain
    /// word's piece going on otherwise is another ending of it ("nurserymen" holds " nursery" of
    /// "nurseryman" whole), and a piece a new piece follows is whole ("pretty_print" holds
    /// " pretty" of "pretty_flags").
    static func pieceContinuers(tokens: [UInt32], flags: [UInt8], slotOfToken: [UInt32: Int], slots: Int) -> [Bool] {
        var continued = [Bool](repeating: true, count: slots)
        for (k, id) in tokens.enumerated() {
            guard let s = slotOfToken[id] else { continue }
            continued[s] = continued[s] && flags[k] & JoinedPairs.opensPiece != 0 && flags[k] & JoinedPairs.connector == 0
                && k + 1 < tokens.count && continuesWord(flags[k], flags[k + 1], identifierPiece: false)
        }
        return continued
    }

    /// For each slot, whether every place of its token in the question goes on a plain word of
    /// several pieces after its first ("link" of "ref" "link"): where the text's word starts
    /// with it (" link", "--link"), it is another word (`goesOnWordOnly`).
    static func wordContinuers(tokens: [UInt32], flags: [UInt8], identifierPieces: [Bool], plainWord: [Bool],
                               slotOfToken: [UInt32: Int], slots: Int) -> [Bool] {
        var continues = [Bool](repeating: true, count: slots)
        for (k, id) in tokens.enumerated() {
            guard let s = slotOfToken[id] else { continue }
            continues[s] = continues[s] && k > 0 && plainWord[k]
                && continuesWord(flags[k - 1], flags[k], identifierPiece: identifierPieces[k])
        }
        return continues
    }

    /// For each slot, whether every place of its token in the question opens a plain word of
    /// several pieces: it does not go on the word before it, and the next token goes on it
    /// (`opensWordOnly`). Every slot's token stands in the question.
    static func wordOpeners(tokens: [UInt32], flags: [UInt8], identifierPieces: [Bool], plainWord: [Bool],
                            slotOfToken: [UInt32: Int], slots: Int) -> [Bool] {
        var opens = [Bool](repeating: true, count: slots)
        func goesOn(_ k: Int) -> Bool { continuesWord(flags[k - 1], flags[k], identifierPiece: identifierPieces[k]) }
        for (k, id) in tokens.enumerated() {
            guard let s = slotOfToken[id] else { continue }
            let opener = plainWord[k] && (k == 0 || !goesOn(k)) && k + 1 < tokens.count && goesOn(k + 1)
            opens[s] = opens[s] && opener
        }
        return opens
    }
}
