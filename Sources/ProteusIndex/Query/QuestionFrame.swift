/// A question's frame: the words that ask rather than tell ("Tell me about", "What does",
/// "how do I"). They stand in most windows, so an answer that holds everything else of the
/// question holds what the corpus can say to it: routing may stop at the cap there instead of
/// reading on for an answer that also holds the frame (on 20M real tokens, questions of three
/// keywords in a frame read a median of 1,130 of 1,231 windows before; `Teleporter.isFound`).
extension QuestionTerms {
    /// Which slots an answer must hold, and whether the question has a frame. A frame slot is
    /// punctuation, a word that asks (`asking`, by token: `askingWords`), or a word of one
    /// token the routing tier keeps no list of (it stands in most windows:
    /// `Lexicon.routesEverywhere`); the others are required. The question has a frame when it
    /// holds frame words and required slots, its heavier frame words (`anchorWeight`, by their
    /// own weights) all open it before the first required slot ("Let journal Then" is three
    /// keywords, two of them common), and no phrase pair joins two frame slots (a quote's
    /// "see the", which its answer must hold; a pair that asks is none, nor a pair in the
    /// opening of a question that opens by asking).
    static func frame(tokens: [UInt32], flags: [UInt8], firstTokens: [Int], ownWeights: [Float], asking: [Bool],
                      pairs: [(Int, Int)], pairInPhrase: [Bool], lexicon: Lexicon) -> (required: [Bool], framed: Bool) {
        var required: [Bool] = []
        var frameWords = 0, opens = true, anyRequired = false
        for (s, k) in firstTokens.enumerated() {
            let content = lexicon.isContent(tokens[k])
            let frame = !content || asking[k] || (standsAlone(flags, at: k) && lexicon.routesEverywhere(tokens[k]))
            if frame && content {
                frameWords += 1
                if ownWeights[s] >= anchorWeight && anyRequired { opens = false }
            }
            required.append(!frame)
            anyRequired = anyRequired || !frame
        }
        // A question that opens by asking ("What does the documentation say about X") frames
        // all of its opening: a pair there ("the documentation") is how it asks, not a quote
        // an answer must hold. (It read every window of 20M real tokens; "Tell me about X" 23.)
        let firstRequired = required.firstIndex(of: true).map { firstTokens[$0] } ?? tokens.count
        func opensAsking(_ s: Int) -> Bool { asking.first == true && firstTokens[s] < firstRequired }
        let framed = frameWords > 0 && opens && anyRequired
            && !pairs.indices.contains { k in
                let (a, b) = pairs[k]
                return pairInPhrase[k] && !required[a] && !required[b] && !(opensAsking(a) && opensAsking(b))
            }
        return (required, framed)
    }
}
