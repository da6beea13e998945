import Testing
@testable import ProteusIndex

/// A question's frame ("Tell me about", "What does"): the words an answer need not hold.
@Suite struct QuestionFrameTests {
    static let tokenizer = PassageScorerTests.tokenizer
    static let shapes = TokenShapes(tokenizer: tokenizer, vocabularySize: Int(tokenizer.identity.vocabularySize))

    /// `QuestionTerms` of `question` where the words of `everywhere` stand in most windows (the
    /// tier keeps no list of them); `tier: false` stands for an index without a routing tier.
    static func terms(_ question: String, everywhere: Set<String>, tier: Bool = true) -> QuestionTerms {
        let lexicon = QuestionTerms.Lexicon(
            surprisal: PassageScorerTests.surprisal, occurs: { _ in true },
            spellings: { shapes.spellings(of: $0) }, isContent: { shapes.isContent($0) },
            startsWord: { shapes.startsWord($0) }, endsInWord: { shapes.endsInWord($0) }, joinFlags: { shapes.joinFlags($0) },
            routesEverywhere: { id in tier && everywhere.contains(text(id).trimmingPrefix(" ").lowercased()) },
            word: { shapes.asciiWord($0) })
        return QuestionTerms(tokens: tokenizer.encodeOrdinary(question), lexicon: lexicon)
    }

    static func text(_ id: UInt32) -> String {
        String(decoding: (try? tokenizer.decode([id].withUnsafeBufferPointer { $0 })) ?? [], as: UTF8.self)
    }

    /// The question's words an answer must hold, in question order.
    static func required(_ q: QuestionTerms) -> [String] {
        q.spellings.indices.filter { q.required[$0] }.map { text(q.spellings[$0][0]) }
    }

    /// Words in most windows, in any spelling.
    static let common: Set<String> = ["tell", "me", "about", "and", "let", "then", "a", "please", "see", "the", "of",
                                      "what", "does", "how", "do"]

    @Test func aFrameOpeningTheQuestionIsSetAside() {
        let q = Self.terms("Tell me about searcher, camps and pursuits.", everywhere: Self.common)
        #expect(q.framed)
        #expect(Self.required(q) == [" searcher", " camps", " pursuits"])
        #expect(q.requiredCount == 3)
    }

    @Test func commonWordsAfterAKeywordAreKeywordsNotAFrame() {
        // Three keywords of a line, two of them common: no frame, every word counts.
        #expect(!Self.terms("Let journal Then", everywhere: Self.common).framed)
        // A light common word among the keywords (" and") does not undo the frame.
        #expect(Self.terms("Tell me about searcher and camps", everywhere: Self.common).framed)
    }

    @Test func aQuoteOfCommonWordsHasNoFrame() {
        // "see the" is a phrase pair of two common words: the quote's answer holds it.
        let q = Self.terms("Please see the documentation of chain", everywhere: Self.common)
        #expect(!q.framed)
    }

    @Test func theOpeningOfAQuestionThatAsksIsItsFrameWithItsPairs() {
        // "the documentation" is a phrase pair of two common words, but in the opening of a
        // question that asks: how it asks, not a quote.
        let q = Self.terms("What does the documentation say about searcher?", everywhere: Self.common.union(["documentation", "say"]))
        #expect(q.framed)
        #expect(Self.required(q) == [" searcher"])
        // Not past its first keyword, nor in a quote that does not open by asking.
        #expect(!Self.terms("What does searcher see the documentation", everywhere: Self.common.union(["documentation"])).framed)
        #expect(!Self.terms("Please see the documentation of chain", everywhere: Self.common.union(["documentation"])).framed)
    }

    @Test func withoutATierOrWithoutKeywordsThereIsNoFrame() {
        #expect(!Self.terms("See about searcher", everywhere: Self.common, tier: false).framed)
        #expect(Self.terms("Tell me about searcher", everywhere: [], tier: false).framed)  // a request, though
        #expect(!Self.terms("Tell me about", everywhere: Self.common).framed)
        #expect(!Self.terms("searcher camps pursuits", everywhere: Self.common).framed)
    }

    /// The exact pass of `q` over a text: the whole text as one passage.
    static func passages(_ q: QuestionTerms) -> (String) -> Passage {
        let scorer = PassageScorer(question: q, shapes: shapes, vocabularySize: Int(tokenizer.identity.vocabularySize),
                                   reach: RoutingTierContents.windowReach)
        return { text in
            let tokens = tokenizer.encodeOrdinary(text)
            let s = tokens.withUnsafeBufferPointer { scorer.score($0, 0..<$0.count) }
            return Passage(start: 0, tokens: tokens, score: s.score, matchedTokens: s.matched, matchedOffsets: s.offsets,
                           source: .corpus, coverage: s.coverage, phraseCoverage: s.phraseCoverage,
                           holdsAllButTheFrame: s.holdsAllButTheFrame)
        }
    }

    @Test func theWordsThatAskWeighTheLeastAndFrameTheQuestion() {
        let q = Self.terms("what does supernatural mean", everywhere: Self.common)
        #expect(Self.required(q) == [" supernatural"])
        #expect(q.framed)
        for s in q.spellings.indices where !q.required[s] { #expect(q.weights[s] == QuestionTerms.askingWeight) }
        // By their own rarity " does" and " mean" outweighed the word asked about.
        let passage = Self.passages(q)
        #expect(passage("Above nature; supernatural.").score > passage("What does this mean for regexps?").score)
        // "how do I": all three ask; a closing "mean" asks only after "what do/does/did".
        #expect(Self.required(Self.terms("How do I enable tracing?", everywhere: Self.common)) == [" enable", " tracing"])
        #expect(Self.required(Self.terms("how does the mean differ", everywhere: Self.common)).contains(" mean"))
        #expect(Self.required(Self.terms("What does RCU stand for?", everywhere: Self.common)) == [" R", "CU"])
        #expect(Self.required(Self.terms("Where is tracing explained?", everywhere: Self.common)) == [" tracing"])
        #expect(Self.required(Self.terms("how do seasons, feast and tracing relate", everywhere: Self.common)) == [" seasons", " feast", " tracing"])
        #expect(Self.required(Self.terms("How does tracing work?", everywhere: [])) == [" tracing"])
        #expect(Self.required(Self.terms("What does tracing do?", everywhere: [])) == [" tracing"])
        // A request opens a question too, whatever the corpus holds of its words.
        let request = Self.terms("Tell me about searcher, camps, pursuits.", everywhere: [])
        #expect(Self.required(request) == [" searcher", " camps", " pursuits"])
        #expect(request.framed)
        // An interrogative with no auxiliary after it is a keyword ("Why synch keep": three
        // rare words of a line), and so is one inside the question.
        let keywords = Self.terms("Why synch keep", everywhere: Self.common)
        #expect(keywords.weights[0] > QuestionTerms.minimumWeight && keywords.required[0])
        let inside = Self.terms("tracing: what does it cost", everywhere: Self.common)
        #expect(!inside.weights.contains(QuestionTerms.askingWeight))
        // The answer to "What is a kobject?" holds no "what": a sentence that asks something
        // else about a kobject neither outranks it nor counts as a paraphrase of the question.
        let what = Self.terms("What is a kobject?", everywhere: Self.common.union(["is", "k", "object"]))
        #expect(what.pairs.indices.filter { what.pairInPhrase[$0] }.map { Self.text(what.spellings[what.pairs[$0].0][0]) } == [" a"])
        let answerOf = Self.passages(what)
        let definition = answerOf("A kobject is an object of type struct kobject.")
        let other = answerOf("Given a struct kobject pointer, what is the pointer to the containing structure?")
        #expect(definition.score > other.score)
        #expect(Teleporter.isFound(definition, bestBound: 1.2))
    }

    @Test func anAnswerHoldingAllButTheFrameIsFound() {
        let question = "See about searcher, camps and pursuits."
        let q = Self.terms(question, everywhere: Self.common)
        let passage = Self.passages(q)
        let answer = passage("The searcher left the camps for other pursuits.")
        #expect(answer.holdsAllButTheFrame)
        #expect(answer.coverage < Teleporter.foundShare)  // not found by the question's weight alone
        #expect(Teleporter.isFound(answer, bestBound: 1))
        // Missing one keyword: judged by its score against the best bound, as before.
        let partial = passage("See about the searcher and the camps.")
        #expect(!partial.holdsAllButTheFrame)
        #expect(!Teleporter.isFound(partial, bestBound: 1.3))
        // All but the frame, but the keywords weigh too little of the question.
        var light = answer
        light.coverage = Teleporter.frameFoundShare - 0.01
        #expect(!Teleporter.isFound(light, bestBound: 1))
    }
}
