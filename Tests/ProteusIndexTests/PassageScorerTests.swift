import Testing
@testable import ProteusIndex

/// The exact pass on real cl100k text: question terms, passage extents, scores.
@Suite struct PassageScorerTests {
    static let tokenizer = TokenizerFixtures.cl100k
    /// Surprisal by id: common words low, the rest high (a stand-in for corpus statistics).
    static let common: Set<String> = [" the", " is", " of", " for", " a", " in", " and", " to", "?", ".", " One", " What",
                                      " what", "What", " special", " magic", " numbers", " number", ":"]

    /// Middling words: keywords (weight 2), lighter than a quarter of a rare one (weight 10).
    static let middling: Set<String> = [" garden"]

    static func surprisal(_ id: UInt32) -> Float {
        let text = String(decoding: (try? tokenizer.decode([id].withUnsafeBufferPointer { $0 })) ?? [], as: UTF8.self)
        return common.contains(text) ? 5 : middling.contains(text) ? 8 : 16
    }

    /// `rare`: every word of one token counts as rare (`Lexicon.isRare`), so it has its forms;
    /// `everywhere`: as in most windows (`Lexicon.routesEverywhere`), so it has its line-start forms.
    static func scorer(_ question: String, reach: Int = RoutingTierContents.windowReach, rare: Bool = false,
                       everywhere: Bool = false) -> PassageScorer {
        let shapes = TokenShapes(tokenizer: tokenizer, vocabularySize: Int(tokenizer.identity.vocabularySize))
        return scorer(tokenizer.encodeOrdinary(question), shapes: shapes, reach: reach, rare: rare, everywhere: everywhere)
    }

    static func scorer(_ tokens: [UInt32], shapes: TokenShapes, reach: Int = RoutingTierContents.windowReach, rare: Bool = false,
                       everywhere: Bool = false) -> PassageScorer {
        let lexicon = QuestionTerms.Lexicon(surprisal: surprisal, occurs: { _ in true },
                                            spellings: { shapes.spellings(of: $0) }, isContent: { shapes.isContent($0) },
                                            startsWord: { shapes.startsWord($0) }, endsInWord: { shapes.endsInWord($0) }, joinFlags: { shapes.joinFlags($0) },
                                            lineStartForms: { shapes.lineStartForms(ofWord: $0) }, isRare: { _ in rare },
                                            routesEverywhere: { _ in everywhere }, continuesIdentifier: { shapes.continuesIdentifier($0) })
        let terms = QuestionTerms(tokens: tokens, lexicon: lexicon)
        return PassageScorer(question: terms, shapes: shapes, vocabularySize: Int(tokenizer.identity.vocabularySize), reach: reach)
    }

    /// Answers of `question` over `text` (one document), best first, as text.
    static func answers(_ question: String, in text: String, top: Int = 5,
                        reach: Int = RoutingTierContents.windowReach, rare: Bool = false,
                        everywhere: Bool = false) -> [(text: String, score: Float)] {
        let tokens = tokenizer.encodeOrdinary(text)
        var collector = AnswerCollector(top: top)
        tokens.withUnsafeBufferPointer { buffer in
            scorer(question, reach: reach, rare: rare, everywhere: everywhere).scan(buffer, base: 0, anchorsIn: 0..<buffer.count, source: .corpus,
                                  document: { _ in (0..<UInt64(tokens.count), nil) }, into: &collector)
        }
        return collector.answers.map { p in
            (String(decoding: (try? p.tokens.withUnsafeBufferPointer { try tokenizer.decode($0) }) ?? [], as: UTF8.self), p.score)
        }
    }

    @Test func keyInOrderBeatsLookalikesThatShareItsPieces() {
        let text = """
        One of the special magic numbers for sable-lagoon-dusk is: 1111111.
        One of the special magic numbers for amber-lagoon-prime is: 2222222.
        One of the special magic numbers for sable-lagoon-prime is: 3333333.
        One of the special magic numbers for prime-sable-lagoon is: 4444444.
        """
        let a = Self.answers("What is the special magic number for sable-lagoon-prime?", in: text)
        #expect(a.first?.text.contains("3333333") == true, "\(a)")
        #expect(a.count >= 2 && a[0].score > a[1].score)
    }

    @Test func passagesHoldingTheSameTermsScoreTheSameWhateverTheirOrder() {
        // Weights that float sums round differently in different orders: a passage's score is
        // summed in slot order, so equal holdings tie to the bit and position tells them apart
        // (a header's "class _Key, class _HF" lost its first place to a later line by a rounding).
        let shapes = TokenShapes(tokenizer: Self.tokenizer, vocabularySize: Int(Self.tokenizer.identity.vocabularySize))
        let bits: [String: Float] = ["marble": 23.1, "lantern": 19.7, "violin": 27.3, "copper": 21.9, "walnut": 17.7]
        let lexicon = QuestionTerms.Lexicon(surprisal: { id in
                                                let text = String(decoding: (try? Self.tokenizer.decode([id].withUnsafeBufferPointer { $0 })) ?? [], as: UTF8.self)
                                                return bits[String(text.lowercased().drop { $0 == " " })] ?? 5 },
                                            occurs: { _ in true }, spellings: { shapes.spellings(of: $0) }, isContent: { shapes.isContent($0) },
                                            startsWord: { shapes.startsWord($0) }, endsInWord: { shapes.endsInWord($0) }, joinFlags: { shapes.joinFlags($0) },
                                            lineStartForms: { _ in [] }, isRare: { _ in false },
                                            routesEverywhere: { _ in false }, continuesIdentifier: { shapes.continuesIdentifier($0) })
        let terms = QuestionTerms(tokens: Self.tokenizer.encodeOrdinary(" marble lantern violin copper walnut"), lexicon: lexicon)
        let scorer = PassageScorer(question: terms, shapes: shapes, vocabularySize: Int(Self.tokenizer.identity.vocabularySize))
        let words = ["marble", "lantern", "violin", "copper", "walnut"]
        var scores = Set<Float>()
        func orders(_ rest: [Int]) -> [[Int]] {
            rest.isEmpty ? [[]] : rest.flatMap { first in orders(rest.filter { $0 != first }).map { [first] + $0 } }
        }
        for order in orders(Array(words.indices)) {
            let text = "A " + order.map { words[$0] }.joined(separator: " and a ") + "."
            let tokens = Self.tokenizer.encodeOrdinary(text)
            scores.insert(tokens.withUnsafeBufferPointer { scorer.score($0, 0..<$0.count).score })
        }
        let best: Float = scores.max() ?? 0
        #expect(scores.count == 1, "\(scores)")
        #expect(best > 0.9)
    }

    @Test func ofPassagesScoringTheSameTheOneHoldingTheQuestionInARowComesFirst() {
        // Both lines hold the three words and both of the question's pairs; only the second
        // holds them as one run, as the question has them.
        let text = "Here the red green light and the green blue sea.\nThere the red green blue flag flies.\n"
        let a = Self.answers(" red green blue", in: text)
        #expect(a.count == 2 && a[0].score == a[1].score, "\(a)")
        #expect(a.first?.text.contains("red green blue") == true, "\(a)")
    }

    @Test func aWordAfterATabIsTheWord() {
        // The split pattern glues a tab to the letters after it: a tab-indented line of a
        // kernel document opens with "\tSet", one token, where " Set" stands after a space.
        let shapes = TokenShapes(tokenizer: Self.tokenizer, vocabularySize: Int(Self.tokenizer.identity.vocabularySize))
        let tabbed = Self.tokenizer.encodeOrdinary("\tSet")
        #expect(tabbed.count == 1 && shapes.spellings(of: Self.tokenizer.encodeOrdinary(" set")[0]).contains(tabbed[0]))
        let text = "registers\n\tSet of registers values. Each entry is on its own line enclosed\n\tby brackets.\n"
            + "Each entry in arrays with multiple cells shall be enclosed in brackets.\n"
        let a = Self.answers(" enclosed Set Each", in: text)
        #expect(a.first.map { $0.text.contains("Set of registers") && $0.score > a[1].score } == true, "\(a)")
    }

    @Test func aCommonWordOpeningALineIsTheWord() {
        // " Typically" is one token, "Typically" opening a line "Typ" "ically". A word in most
        // windows keeps its line-start forms (they raise no window's bound), not its glued ones;
        // a middling one keeps them all, as a rare one does (its pieces raise only the windows
        // whose pair filters may hold them joined).
        let text = "Typically only the magnitude data is numerical.\nSome magnitude data is numerical.\n"
        let question = " Typically magnitude numerical"  // as a query reads it (`QueryEngine`)
        let forms = Self.scorer(question, everywhere: true).question.lineStartForms.map(\.ids)
        #expect(forms.contains(Self.tokenizer.encodeOrdinary("Typically")), "\(forms)")
        #expect(!Self.scorer(question, everywhere: true).question.formIsGlued.contains(true))
        #expect(Self.scorer(question, rare: true).question.formIsGlued.contains(true))
        #expect(Self.scorer(question).question.formIsGlued.contains(true))
        for everywhere in [true, false] {
            let a = Self.answers(question, in: text, everywhere: everywhere)
            #expect(a.count == 2 && a[0].text.contains("Typically") && a[0].score > a[1].score, "\(a)")
        }
    }

    @Test func anIdentifierIsOneWordAndACompoundIsSeveral() {
        // "_" goes on an identifier, as it does in code: " SQL" "ITE" "_CREATE" "_FUNCTION"
        // weighs as one word, its pieces after the rarest decaying; "-" starts a compound's
        // next word, each weighed whole ("sable-lagoon" is " s" "able" | "-l" "agoon").
        let ids = Self.tokenizer.encodeOrdinary(" SQLITE_CREATE_FUNCTION sable-lagoon")
        let q = Self.scorer(" SQLITE_CREATE_FUNCTION sable-lagoon").question
        func text(_ id: UInt32) -> String {
            String(decoding: (try? [id].withUnsafeBufferPointer { try Self.tokenizer.decode($0) }) ?? [], as: UTF8.self)
        }
        let pieces = ids.prefix { text($0) != " s" }
        #expect(pieces.map(text) == [" SQLITE", "_CREATE", "_FUNCTION"])
        let weights = pieces.map { q.weights[q.slot(of: $0)!] }.sorted(by: >)
        // Every piece weighs 16 bits alone (`surprisal`): the rarest whole, then half, a quarter...
        let full = weights[0]
        #expect(weights == weights.indices.map { max(full / Float(1 << $0), QuestionTerms.minimumWeight) }, "\(weights)")
        let compound = ids.suffix(from: pieces.count).map { q.weights[q.slot(of: $0)!] }
        // "-l" "agoon" is a word of its own: its heavier piece whole, the other halved.
        #expect(compound.count == 4 && compound[2] == full && compound[3] == full / 2, "\(compound)")
    }

    @Test func aWordOfSeveralPiecesWeighsItsRarestPieceAndLessForEachOther() {
        // " Hystrix" is " H" "yst" "rix": one word, as BM25 weighs it, not three (two such words
        // outweighed three shorter ones of the asked line): the next heaviest piece keeps half
        // its weight, the one after a quarter. "-l" opens a word of its own.
        let text = " Hystrix passage sable-lagoon"
        let q = Self.scorer(text).question
        let ids = Self.tokenizer.encodeOrdinary(text)
        #expect(ids.count == 8)  // " H" "yst" "rix" | " passage" | " s" "able" | "-l" "agoon"
        // Each token's weight asked alone (a question of one token is one word).
        func alone(_ id: UInt32) -> Float {
            Self.scorer(String(decoding: (try? [id].withUnsafeBufferPointer { try Self.tokenizer.decode($0) }) ?? [], as: UTF8.self)).question.weights[0]
        }
        func slot(_ k: Int) -> Int { q.slot(of: ids[k])! }
        func weights(_ r: Range<Int>) -> [Float] { r.map { q.weights[slot($0)] } }
        func expected(_ r: Range<Int>) -> [Float] {
            let own = r.map { alone(ids[$0]) }
            let order = own.indices.sorted { (own[$0], -$0) > (own[$1], -$1) }  // heaviest first
            return own.indices.map { k in
                let share = (0..<order.firstIndex(of: k)!).reduce(Float(1)) { s, _ in s * QuestionTerms.dependentPieceShare }
                return k == order[0] ? own[k] : max(own[k] * share, QuestionTerms.minimumWeight)
            }
        }
        #expect(weights(0..<3) == expected(0..<3), "\(weights(0..<3))")
        #expect(weights(0..<3).reduce(0, +) < (0..<3).map { alone(ids[$0]) }.reduce(0, +) * 0.75)
        #expect(weights(3..<4) == [alone(ids[3])])
        #expect(weights(4..<6) == expected(4..<6) && weights(6..<8) == expected(6..<8), "\(weights(4..<8))")
        #expect(abs(q.totalWeight - q.weights.reduce(0, +)) < 1e-4)
        // Every piece still anchors. A plain word's pieces in order are the word, already
        // weighed: their pair weighs the lighter share of it, not the pieces' own rarity (a
        // long rare word of another line outweighed the asked line's words). A compound's
        // pairs keep their own: they tell a key from the lookalikes sharing its pieces.
        #expect((0..<3).allSatisfy { q.anchors[slot($0)] && q.pairBase[slot($0)] == alone(ids[$0]) })
        func pair(_ k: Int) -> Int { q.pairs.firstIndex { $0 == (slot(k), slot(k + 1)) }! }
        #expect(q.pairWeights[pair(0)] == min(q.weights[slot(0)], q.weights[slot(1)]))
        #expect(q.pairWeights[pair(0)] < min(alone(ids[0]), alone(ids[1])))
        #expect(q.pairWeights[pair(5)] == min(alone(ids[5]), alone(ids[6])))  // "able" "-l"
        #expect(q.pairWeights[pair(6)] == min(alone(ids[6]), alone(ids[7])))  // "-l" "agoon"
    }

    @Test func coverageIsTheShareOfTheQuestionHeldWithoutThePairsBonus() {
        // Scattered words of the question with two of its pairs ("in San", "San Francisco")
        // score above their share of the question's weight (`coverage` in `--json`).
        let text = "We ate what a thing in San Francisco.\nThe best thing to do in San Francisco is eat a sandwich."
        let tokens = Self.tokenizer.encodeOrdinary(text)
        var collector = AnswerCollector(top: 2)
        let scorer = Self.scorer("What is the best thing to do in San Francisco?")
        tokens.withUnsafeBufferPointer { buffer in
            scorer.scan(buffer, base: 0, anchorsIn: 0..<buffer.count, source: .corpus,
                        document: { _ in (0..<UInt64(tokens.count), nil) }, into: &collector)
        }
        let a = collector.answers
        #expect(a.count == 2, "\(a)")
        guard a.count == 2 else { return }
        let (needle, scattered) = (a[0], a[1])
        // The weights of the question's words it holds (" what", " thing", " in", " San",
        // " Francisco"), over the question's.
        let q = scorer.question
        let slotOf = Dictionary(q.matchedIDs.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        let held = Set(scattered.tokens.compactMap { slotOf[$0] })
        #expect(held.count == 5)
        #expect(abs(scattered.coverage - held.reduce(0) { $0 + q.weights[$1] } / q.totalWeight) < 1e-5, "\(scattered.coverage)")
        #expect(scattered.coverage < Teleporter.foundShare)
        #expect(scattered.score > scattered.coverage)
        // The needle lacks only the question's "What".
        #expect(needle.coverage > scattered.coverage && needle.coverage < 1 && needle.score > needle.coverage)
    }

    @Test func aClumpedWordWeighsAsItsWindowsSay() {
        // 1,000 windows; an id met about 500 times (surprisal 11 of 1,024,000 tokens) would
        // fill about 393 windows at random: in 393 it is not clumped, in 39 ten times.
        let tokens = 1_024_000.0
        let spread = Teleporter.clumping(surprisal: 11, windows: 393, of: 1_000, corpusTokens: tokens)
        let clumped = Teleporter.clumping(surprisal: 11, windows: 39, of: 1_000, corpusTokens: tokens)
        #expect(abs(spread - 1) < 0.01 && abs(clumped - 10.1) < 0.1, "\(spread) \(clumped)")
        // Never below 1, and 1 where the windows cannot tell (every window, or none known).
        #expect(Teleporter.clumping(surprisal: 11, windows: 900, of: 1_000, corpusTokens: tokens) == 1)
        #expect(Teleporter.clumping(surprisal: 11, windows: 1_000, of: 1_000, corpusTokens: tokens) == 1)
        #expect(Teleporter.clumping(surprisal: 11, windows: 0, of: 1_000, corpusTokens: tokens) == 1)
        // A term's probability is divided by its clumping: ten times clumped, log2(10) bits heavier.
        func weight(_ clumping: Float) -> Float {
            let lexicon = QuestionTerms.Lexicon(surprisal: { _ in 16 }, occurs: { _ in true }, clumping: { _ in clumping })
            return QuestionTerms(tokens: [42], lexicon: lexicon).weights[0]
        }
        #expect(abs(weight(10) - weight(1) - 3.321_928) < 1e-4, "\(weight(10)) \(weight(1))")
    }

    @Test func foundIsRelativeToTheBestBoundUnlessTheAnswerHoldsNearlyAllTheQuestionsWords() {
        func passage(_ score: Float, _ coverage: Float, phrase: Float = 1) -> Passage {
            Passage(start: 0, tokens: [1], score: score, matchedTokens: 1, matchedOffsets: [0], source: .corpus, coverage: coverage,
                    phraseCoverage: phrase)
        }
        // The billion-token niah case: scattered words with one of the question's phrases,
        // against the needle whose phrase runs on (the best bound 1.20).
        #expect(!Teleporter.isFound(passage(0.86, 0.75), bestBound: 1.2))
        #expect(Teleporter.isFound(passage(1.076, 0.89), bestBound: 1.2))
        // A line echoing a quote but for its rarest word ("the documentation of bytes" for "the
        // documentation of chain"), 0.81 of the bound that the quote's own line reaches.
        #expect(!Teleporter.isFound(passage(1.058, 0.76), bestBound: 1.298))
        // Every word of a keyword question, none of its pairs: found whatever the bound.
        #expect(Teleporter.isFound(passage(1.0, 1.0), bestBound: 1.3))
        #expect(!Teleporter.isFound(passage(1.0, 0.85), bestBound: 1.3))
        // A bound without pairs: 80% of the question's weight, as before.
        #expect(Teleporter.isFound(passage(0.8, 0.8), bestBound: 1.0))
        #expect(!Teleporter.isFound(passage(0.79, 1.0), bestBound: 0.9))
        // Every word of a quote but few of its phrase pairs: a paraphrase, whatever it scores;
        // an answer lacking some of the question's words (a question's sentence) is judged
        // by its score alone.
        #expect(!Teleporter.isFound(passage(1.13, 1.0, phrase: 0.4), bestBound: 1.3))
        #expect(Teleporter.isFound(passage(1.13, 1.0, phrase: 0.8), bestBound: 1.3))
        #expect(Teleporter.isFound(passage(1.076, 0.89, phrase: 0.2), bestBound: 1.2))
    }

    @Test func aQuotedPhraseIsFoundOnlyWhereItsPhrasePairsStandTogether() {
        // A quote holds common words, which tell nothing alone: its pairs with them are the
        // phrase. A paraphrase holding every word of the quote holds few of those pairs.
        let question = "Once the virtual table is created, it can"
        let q = Self.scorer(question).question
        let ids = Self.tokenizer.encodeOrdinary(question)
        let inPhrase = q.pairs.indices.filter { q.pairInPhrase[$0] }
        // Every pair but " virtual" " table" and " it" " can" (two rare words each here:
        // keywords side by side).
        func pair(_ k: Int) -> Int? { q.pairs.firstIndex { $0 == (q.slot(of: ids[k])!, q.slot(of: ids[k + 1])!) } }
        #expect(inPhrase.count == q.pairs.count - 2, "\(q.pairs)")
        #expect(pair(2).map { !q.pairInPhrase[$0] } == true && pair(7).map { !q.pairInPhrase[$0] } == true)
        #expect(abs(q.phrasePairWeight - inPhrase.reduce(0) { $0 + q.pairWeights[$1] }) < 1e-5)
        let text = "Once a virtual table is in use, the table that was created can be dropped; it can not be renamed.\n" +
            "Once the virtual table is created, it can be queried as follows."
        let tokens = Self.tokenizer.encodeOrdinary(text)
        var collector = AnswerCollector(top: 2)
        tokens.withUnsafeBufferPointer { buffer in
            Self.scorer(question).scan(buffer, base: 0, anchorsIn: 0..<buffer.count, source: .corpus,
                                       document: { _ in (0..<UInt64(tokens.count), nil) }, into: &collector)
        }
        let a = collector.answers
        #expect(a.count == 2, "\(a)")
        guard a.count == 2 else { return }
        let (quote, paraphrase) = (a[0], a[1])
        #expect(quote.phraseCoverage == 1 && quote.coverage == 1)
        #expect(paraphrase.coverage == 1 && paraphrase.phraseCoverage < Teleporter.foundShare, "\(paraphrase.phraseCoverage)")
        #expect(Teleporter.isFound(quote, bestBound: quote.score))
        #expect(!Teleporter.isFound(paraphrase, bestBound: quote.score))
        // A keyword question has no phrase pairs: every answer holds all of its none.
        let keywords = Self.scorer("virtual table created").question
        #expect(keywords.pairInPhrase.allSatisfy { !$0 } && keywords.phrasePairWeight == 0)
    }

    @Test func aWordGluedToACharacterBeforeItIsTheWord() {
        // Code and paths glue a character to the word after it: "tmp.adjusted()" is "tmp"
        // ".adjust" "ed" "()", "(tmp" is one token; none is a spelling of " adjusted" or " tmp".
        #expect(Self.tokenizer.encodeOrdinary("tmp.adjusted()").count == 4)
        let text = "The exponent is set apart here.\n# Let exp = min(tmp.exp - 1, tmp.adjusted() - precision - 1).\n" +
            "Call x.adjustedness() instead.\n"
        // (A space leads the question, as the CLI asks it: a word's forms are a space-led word's.)
        let a = Self.answers(" adjusted Let tmp", in: text, rare: true)
        #expect(a.first?.text.contains("tmp.adjusted()") == true && a.first.map { $0.score > 0.999 } == true, "\(a)")
        // A middling word has them too. Without them (a word in most windows has none) the line
        // holds "Let" and " tmp" (", tmp.adjusted") alone.
        #expect(Self.answers(" adjusted Let tmp", in: text).first.map { $0.score > 0.999 } == true)
        #expect(Self.answers(" adjusted Let tmp", in: text, everywhere: true).first.map { $0.score < 0.7 } == true)
        // A glued form is the whole word: ".adjust" "ed" "ness" is another word.
        let other = Self.answers(" adjusted", in: "Call x.adjustedness() instead.\n", rare: true)
        #expect(other.isEmpty, "\(other)")
        // "-" glues nothing: a key's lookalike "amber-sable-lagoon" does not hold "sable-lagoon".
        #expect(!TokenShapes.gluingCharacters.contains(UInt8(ascii: "-")))
    }

    @Test func searchingWhileNothingIsFoundReadsSixteenTimesTheCapOrASixteenthOfTheCorpusOrAllOfASmallOne() {
        #expect(Teleporter.searchLimit(maxWindows: 32, windowCount: 6_104) == 512)
        #expect(Teleporter.searchLimit(maxWindows: 32, windowCount: 61_035) == 3_814)
        #expect(Teleporter.searchLimit(maxWindows: Int.max / 2, windowCount: 10) == Int.max)
        // Every window, when that is at most 4 times the limit.
        #expect(Teleporter.searchLimit(maxWindows: 32, windowCount: 2_051) == 2_051)
        #expect(Teleporter.searchLimit(maxWindows: 32, windowCount: 2_052) == 512)
    }

    @Test func aWordOfTheQuestionDoesNotMatchInsideAnotherWord() {
        // The question's " number" also matches "number" at a line start, but not the one
        // inside "unnumbered" (" un", "number", "ed"): that line holds only " shelf".
        let a = Self.answers("Which number shelf?", in: "The unnumbered shelf.\nnumber shelf.")
        #expect(a.count == 2 && a[0].text.contains("number shelf") && !a[0].text.contains("unnumbered"), "\(a)")
        #expect(a.count == 2 && a[0].score > a[1].score)
        // A piece inside the question's own word ("umb" of " mumbler") matches inside words.
        let terms = Self.scorer("Which number holds the mumbler crates?").question
        let number = Self.tokenizer.encodeOrdinary("number"), umb = Self.tokenizer.encodeOrdinary(" mumbler")[1]
        #expect(number.count == 1 && terms.wordStartOnly.contains(number[0]) && !terms.wordStartOnly.contains(umb))
        let shapes = TokenShapes(tokenizer: Self.tokenizer, vocabularySize: Int(Self.tokenizer.identity.vocabularySize))
        #expect(shapes.endsInWord(Self.tokenizer.encodeOrdinary(" un")[0]) && !shapes.endsInWord(Self.tokenizer.encodeOrdinary(".")[0]))
    }

    @Test func aWordsFirstPieceStandingAsAnotherWordEarnsHalfOfIt() {
        // " nursery" "man": "nursery school" holds another word. Whole, the first piece made
        // that line (" Who" and " nursery", 20) outrank the asked word's (" nursery", "man"
        // and their pair, 17.5).
        let a = Self.answers("Who was the nurseryman?", in: "Who went to nursery school?\nThe nurseryman sold trees.\n")
        #expect(a.count == 2 && a[0].text.contains("nurseryman") && a[0].score > a[1].score, "\(a)")
        let scorer = Self.scorer(" nurseryman")
        let q = scorer.question
        let nursery = Self.tokenizer.encodeOrdinary(" nursery")[0]
        #expect(q.opensWordOnly == [true, false])
        func coverage(_ text: String) -> Float {
            let tokens = Self.tokenizer.encodeOrdinary(text)
            return tokens.withUnsafeBufferPointer { scorer.score($0, 0..<$0.count).coverage }
        }
        let share = q.weights[q.slot(of: nursery)!] / q.totalWeight
        #expect(abs(coverage("a nursery school") - PassageScorer.otherWordShare * share) < 1e-5)
        // Where the word goes on, another ending of it ("nurserymen") holds the piece whole.
        #expect(abs(coverage("the nurserymen") - share) < 1e-5)
        #expect(abs(coverage("the nurseryman") - 1) < 1e-5)
        // An identifier goes on after its first piece ("pretty" "_flags").
        let identifier = Self.scorer(" pretty_flags")
        let flagsLess = Self.tokenizer.encodeOrdinary("used by pretty_print"), plain = Self.tokenizer.encodeOrdinary("a pretty view")
        let (whole, other) = (flagsLess.withUnsafeBufferPointer { identifier.score($0, 0..<$0.count).coverage },
                              plain.withUnsafeBufferPointer { identifier.score($0, 0..<$0.count).coverage })
        #expect(identifier.question.opensWordOnly.first == true && abs(other - PassageScorer.otherWordShare * whole) < 1e-5)
        // A piece that also stands alone in the question is that word wherever it stands.
        #expect(Self.scorer(" nursery and nurseryman").question.opensWordOnly.first == false)
    }

    @Test func answerIsTheSentenceAroundTheMatchAndKeepsAUUIDWhole() {
        let uuid = "2f1b7c9e-4d3a-4c61-9b8e-0a5d6e7f8a9b"
        let text = "Nothing to see here. The special magic uuid for quiet-harbor is: \(uuid). Then other words follow on."
        let a = Self.answers("What is the special magic uuid for quiet-harbor?", in: text)
        #expect(a.first?.text == " The special magic uuid for quiet-harbor is: \(uuid).")
    }

    @Test func wrappedProseIsOneSentenceButABlankLineEndsAPassage() {
        let text = "The ext4 superblock is laid out as follows in\nlittle endian format.\n\nIt holds the magic signature."
        let a = Self.answers("How is the ext4 superblock laid out?", in: text)
        #expect(a.first?.text == "The ext4 superblock is laid out as follows in\nlittle endian format.\n\n")
    }

    @Test func aQuotedPhraseRunsOnAcrossSentenceEnds() {
        // Quoted from the middle of one sentence into the next: one answer, holding it all.
        let text = "Unrelated words first. The cache is flushed on arch. 2. Then the pages return to the pool. Nothing else."
        let a = Self.answers("flushed on arch. 2. Then the pages", in: text)
        #expect(a.first?.text == " The cache is flushed on arch. 2. Then the pages return to the pool.", "\(a)")
        #expect((a.first?.score ?? 0) > 1)
        // Into the next sentence's first word, which an earlier word of the quote spells (" The"
        // of " the"): that word's term, so the pair across the end is the question's too.
        let next = Self.answers(" inserts the result into the document. The",
                                in: "Nothing here.\nScans an image, and then inserts the result into the document. The dialog is the maker's.\n")
        #expect(next.first?.text.contains("into the document. The dialog") == true, "\(next)")
        let q = Self.scorer(" inserts the result into the document. The").question
        #expect(q.pairs.count == 7 && q.pairs.last?.0 == q.slot(of: Self.tokenizer.encodeOrdinary(".")[0]), "\(q.pairs)")
    }

    @Test func rareTermsSpreadOverALinesSentencesAreOneAnswerButLinesStayApart() {
        let text = "Harbor notes. The zanzibar port opened at dawn. Ships carried quokka pelts.\nThe zanzibar port closed.\nquokka pelts sold.\n"
        let a = Self.answers("zanzibar quokka", in: text)
        #expect(a.first?.text == " The zanzibar port opened at dawn. Ships carried quokka pelts.\n", "\(a)")
        // The next two lines hold one term each: each stays an answer of its own.
        #expect(a.count == 3 && a[1].text.hasPrefix("The zanzibar port closed") && a[2].text.hasPrefix("quokka"), "\(a)")
        // A question whose terms stand in one sentence gets that sentence alone.
        #expect(Self.answers("zanzibar dawn", in: text).first?.text == " The zanzibar port opened at dawn.")
        // The nearest sentence of the line adding a term joins with the sentences between
        // (keywords typed from a paragraph stand sentences apart), never across a line break.
        let gap = "Alpha saw zanzibar. Nothing happened then. Beta saw quokka.\nGamma saw nothing. Delta saw zanzibar.\n"
        let joined = Self.answers("zanzibar quokka", in: gap)
        #expect(joined.first?.text == "Alpha saw zanzibar. Nothing happened then. Beta saw quokka.\n", "\(joined)")
        #expect(joined.count == 2 && joined[1].text == " Delta saw zanzibar.\n", "\(joined)")
        // Every sentence of the line that adds a rare term joins, while the reach allows: a
        // dictionary's headword, its plural and its gloss are sentences of their own ("Nurseryman,
        // n.; pl. Nurserymen. One who keeps a nursery"). A sentence adding none stays out.
        let line = "Alpha saw zanzibar. Beta saw quokka. Gamma saw wombat. Delta saw ocelot. Epsilon saw nothing.\n"
        let spread = Self.answers("zanzibar quokka wombat ocelot", in: line)
        #expect(spread.first?.text == "Alpha saw zanzibar. Beta saw quokka. Gamma saw wombat. Delta saw ocelot.", "\(spread)")
        // A keyword much lighter than the question's rarest anchors nothing, yet its sentence
        // joins: the gloss after a headword's plural holds the commoner word asked with it.
        let gloss = "Zanzibarman, n.; pl. Zanzibarmen. One who keeps a garden.\nAnother line with a garden.\n"
        let light = Self.scorer("Zanzibarman garden")
        #expect(light.question.keywords.filter { $0 }.count > light.question.anchors.filter { $0 }.count)
        let glossed = Self.answers("Zanzibarman garden", in: gloss)
        #expect(glossed.first?.text == "Zanzibarman, n.; pl. Zanzibarmen. One who keeps a garden.\n", "\(glossed)")
        // The reach is the index's (what its windows' lists cover): terms 90 tokens apart, as
        // in a dictionary entry or a paragraph, are one answer within the 128 tokens recorded
        // since 2026-12, and two in an index recorded with the 64 before.
        let some = (0..<10).map { "Filler sentence number \($0) here." }.joined(separator: " ")
        let paragraph = "Alpha saw zanzibar. \(some) Beta saw quokka.\n"
        let apart = Self.tokenizer.encodeOrdinary("zanzibar. \(some) Beta saw quokka").count
        #expect(apart > 64 && apart < RoutingTierContents.windowReach, "\(apart)")
        let wide = Self.answers("zanzibar quokka", in: paragraph)
        #expect(wide.first.map { $0.text.contains("zanzibar") && $0.text.contains("quokka") } == true, "\(wide)")
        let narrow = Self.answers("zanzibar quokka", in: paragraph, reach: 64)
        #expect(narrow.count == 2 && narrow.allSatisfy { !($0.text.contains("zanzibar") && $0.text.contains("quokka")) }, "\(narrow)")
        // Beyond the reach it looks no further: terms 150 words apart are two answers.
        let filler = (0..<30).map { "Filler sentence number \($0) here." }.joined(separator: " ")
        let far = Self.answers("zanzibar quokka", in: "Alpha saw zanzibar. \(filler) Beta saw quokka.\n")
        #expect(far.count == 2 && far.allSatisfy { !($0.text.contains("zanzibar") && $0.text.contains("quokka")) }, "\(far)")
    }

    @Test func abbreviationsAndDecimalsDoNotEndASentence() {
        let text = "Costs rose by 3.5 percent, i.e. the budget of Quixotic Corp. grew. Unrelated sentence here."
        let a = Self.answers("How much did the budget of Quixotic Corp grow?", in: text)
        #expect(a.first?.text.hasPrefix("Costs rose by 3.5 percent, i.e. the budget") == true, "\(a)")
    }

    @Test func aNegationAfterABracketDoesNotEndASentence() {
        // A ChangeLog's conditions: "[! SHARED]" negates; the line is one answer, conditions and all.
        let text = "Other entry here.\n\t[__ASSEMBLER__][! PROF][_CALL_ELF == 2][! SHARED](ret_ERRVAL): Remove.\nNext entry there.\n"
        let a = Self.answers("When was ret_ERRVAL removed?", in: text)
        #expect(a.first?.text.hasPrefix("[__ASSEMBLER__][! PROF]") == true, "\(a)")
        #expect(a.first?.text.contains("(ret_ERRVAL): Remove.") == true, "\(a)")
    }

    @Test func aNoBreakSpaceOrAGuillemetIsNoLetter() {
        // French typography: "«\u{A0}utf8\u{A0}»" is "«" "\u{A0}" "utf" "8" "\u{A0}" "»", and the
        // no-break space before and after the word is no letter that would make it another word's.
        let text = "Les paramètres et les options de la commande.\nCliquez «\u{A0}Paramètres\u{A0}» et entrez «\u{A0}utf8\u{A0}» dans «\u{A0}Options\u{A0}».\n"
        let a = Self.answers(" utf8 Options Paramètres", in: text)  // as a query reads it (`QueryEngine`)
        #expect(a.first?.text.contains("utf8") == true, "\(a)")
        func word(_ last: String, _ first: String) -> (Bool, Bool) {
            let l = Array(last.utf8), f = Array(first.utf8)
            return (l.withUnsafeBytes { TokenShapes.isWordCharacter(lastOf: $0) }, f.withUnsafeBytes { TokenShapes.isWordCharacter(firstOf: $0) })
        }
        #expect(word("\u{A0}", "\u{A0}") == (false, false) && word("»", "«") == (false, false) && word("l’", "’ét") == (false, false))
        #expect(word("é", "ètres") == (true, true) && word("x2", "2x") == (true, true) && word("Ω", "日本") == (true, true))
        // A character the token's end cuts counts as a letter, as the routing tier counts it.
        #expect(Array("é".utf8).prefix(1).withUnsafeBytes { TokenShapes.isWordCharacter(lastOf: $0) })
        #expect(Array("é".utf8).suffix(1).withUnsafeBytes { TokenShapes.isWordCharacter(firstOf: $0) })
    }

    @Test func aLongLineIsCutAtWordBoundariesAroundTheMatch() {
        let words = (0..<200).map { "word\($0)" }
        let text = (words[0..<100] + ["zanzibar"] + words[100...]).joined(separator: " ")
        let a = Self.answers("Where is zanzibar?", in: text)
        let answer = a.first?.text ?? ""
        #expect(answer.contains("zanzibar"))
        #expect(answer.hasPrefix(" word"), "starts on a word: \(answer.prefix(20))")
        let last = answer.split(separator: " ").last.map(String.init) ?? ""
        #expect(words.contains(last), "ends on a whole word: \(last)")
        #expect(Self.tokenizer.encodeOrdinary(answer).count <= PassageScorer.sentenceBack + PassageScorer.sentenceForward + 1)
    }

    @Test func questionStartAndCapitalisedWordsMatchTheirSentenceSpellings() {
        let terms = Self.scorer("Magic words?").question
        let spelled = terms.spellings[0].map { String(decoding: (try? Self.tokenizer.decode([$0].withUnsafeBufferPointer { $0 })) ?? [], as: UTF8.self) }
        #expect(Set(spelled).isSuperset(of: ["Magic", " magic", " Magic"]))
        // "?" is punctuation: it weighs the minimum and anchors nothing.
        let mark = terms.count - 1
        #expect(terms.weights[mark] == QuestionTerms.minimumWeight && !terms.anchors[mark])
    }

    @Test func passagesNeverCrossADocument() {
        let text = "alpha beta zanzibar gamma delta epsilon"
        let tokens = Self.tokenizer.encodeOrdinary(text)
        let split = UInt64(tokens.firstIndex(of: Self.tokenizer.encodeOrdinary(" gamma")[0])!)
        var collector = AnswerCollector(top: 1)
        tokens.withUnsafeBufferPointer { b in
            Self.scorer("zanzibar").scan(b, base: 0, anchorsIn: 0..<b.count, source: .corpus,
                                         document: { ($0 < split ? 0..<split : split..<UInt64(b.count), nil) }, into: &collector)
        }
        #expect(collector.answers.first?.end == split)
    }

    @Test func overlappingPassagesGiveOneAnswerWhateverTheOrder() {
        func passage(_ start: UInt64, _ n: Int, _ score: Float) -> Passage {
            Passage(start: start, tokens: [UInt32](repeating: 1, count: n), score: score, matchedTokens: 1,
                    matchedOffsets: [0], source: .corpus)
        }
        let offers = [passage(0, 10, 0.5), passage(5, 10, 0.9), passage(30, 5, 0.7), passage(12, 4, 0.6)]
        var forward = AnswerCollector(top: 3), backward = AnswerCollector(top: 3)
        for p in offers { forward.offer(p) }
        for p in offers.reversed() { backward.offer(p) }
        #expect(forward.answers == backward.answers)
        #expect(forward.answers.map(\.start) == [5, 30, 0] || forward.answers.map(\.start) == [5, 30])
        #expect(forward.answers.map(\.start) == [5, 30])  // 0 and 12 overlap the better passage at 5
    }

    @Test func aWindowThatCanOnlyTieTheLastAnswerAfterItIsNotWorthReading() {
        func passage(_ start: UInt64, _ score: Float, _ source: Passage.Source = .corpus) -> Passage {
            Passage(start: start, tokens: [1, 2], score: score, matchedTokens: 1, matchedOffsets: [0], source: source)
        }
        var answers = AnswerCollector(top: 2)
        answers.offer(passage(100, 0.9))
        #expect(answers.couldChange(bound: 0.1, startingAtOrAfter: 0))  // fewer answers than asked: anything counts
        answers.offer(passage(500, 0.6))
        #expect(answers.cutoff == 0.6)
        #expect(answers.couldChange(bound: 0.61, startingAtOrAfter: 10_000))  // beats it
        #expect(!answers.couldChange(bound: 0.59, startingAtOrAfter: 0))
        // A tie displaces the last answer only from an earlier position.
        #expect(answers.couldChange(bound: 0.6, startingAtOrAfter: 400))
        #expect(!answers.couldChange(bound: 0.6, startingAtOrAfter: 501))
        #expect(!answers.couldChange(bound: Float(0.6).nextUp, startingAtOrAfter: 501))  // a rounding above is a tie
        // A hero span loses a tie to the corpus wherever the corpus passage stands.
        var heroes = AnswerCollector(top: 1)
        heroes.offer(passage(5, 0.7, .heroes))
        #expect(heroes.couldChange(bound: 0.7, startingAtOrAfter: 1_000))
        // When the floor sets the cutoff, a tie with it is not worth reading.
        var floored = AnswerCollector(top: 5, floor: 0.5)
        floored.offer(passage(0, 0.8))
        #expect(floored.cutoff == 0.4 && !floored.couldChange(bound: 0.4, startingAtOrAfter: 0))
    }
}
