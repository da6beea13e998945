import Testing
@testable import ProteusIndex

/// A keyword in another regular form ("interrupt handling" for "interrupts handled") earns a
/// share of its weight: below the words as asked, above a passage without them.
@Suite struct InflectionTests {
    static let tokenizer = PassageScorerTests.tokenizer
    static let shapes = TokenShapes(tokenizer: tokenizer, vocabularySize: Int(tokenizer.identity.vocabularySize))

    static func forms(_ word: String) -> [String] {
        Inflections.of(Array(word.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    static func text(_ ids: [UInt32]) -> String {
        String(decoding: (try? ids.withUnsafeBufferPointer { try tokenizer.decode($0) }) ?? [], as: UTF8.self)
    }

    @Test func regularFormsGoBothWaysThroughTheStem() {
        #expect(Set(["interrupt", "interrupted", "interrupting"]).isSubset(of: Self.forms("interrupts")))
        #expect(Set(["handle", "handles", "handling"]).isSubset(of: Self.forms("handled")))
        #expect(Set(["handle", "handled", "handles"]).isSubset(of: Self.forms("handling")))
        #expect(Set(["query", "queried", "querying"]).isSubset(of: Self.forms("queries")))
        #expect(Set(["stop", "stopping"]).isSubset(of: Self.forms("stopped")))
        #expect(Self.forms("box").isEmpty)  // shorter than a word that is inflected
        #expect(Set(["matches", "matched", "matching"]).isSubset(of: Self.forms("match")))
        #expect(!Self.forms("analysis").contains("analysi"))
        #expect(!Self.forms("class").contains("clas"))
        #expect(Self.forms("Interrupts").isEmpty && Self.forms("sable-lagoon").isEmpty)  // lowercase letters only
    }

    @Test func onlyFormsOfOneTokenWithTheirSpellingsAreLookedFor() {
        let id = Self.tokenizer.encodeOrdinary(" interrupts")[0]
        let found = Set(Self.shapes.inflections(of: id).map { Self.text([$0]) })
        #expect(found.isSuperset(of: [" interrupt", " interrupted", "interrupt", " Interrupt"]), "\(found)")
        #expect(!found.contains(" interrupts") && !found.contains("interrupts"))
    }

    /// The lexicon of these tests: `PassageScorerTests`' surprisal, every id in the corpus, the
    /// shapes' spellings, and a keyword's other forms of one token (`oneToken`: `inflections`),
    /// of several (`several`: `inflectedForms`), or both.
    static func lexicon(oneToken: Bool = true, several: Bool = false,
                        isRare: @escaping (UInt32) -> Bool = { _ in false }) -> QuestionTerms.Lexicon {
        let shapes = Self.shapes
        return QuestionTerms.Lexicon(surprisal: PassageScorerTests.surprisal, occurs: { _ in true },
                                     spellings: { shapes.spellings(of: $0) }, isContent: { shapes.isContent($0) },
                                     startsWord: { shapes.startsWord($0) }, endsInWord: { shapes.endsInWord($0) },
                                     joinFlags: { shapes.joinFlags($0) }, isRare: isRare,
                                     continuesIdentifier: { shapes.continuesIdentifier($0) },
                                     word: oneToken ? { shapes.asciiWord($0) } : { _ in nil },
                                     inflections: oneToken ? { shapes.inflections(of: $0) } : { _ in [] },
                                     inflectedForms: several ? { shapes.inflectedForms(ofWord: $0) } : { _ in [] })
    }

    static func scorer(_ question: String) -> PassageScorer {
        let terms = QuestionTerms(tokens: tokenizer.encodeOrdinary(question), lexicon: lexicon())
        return PassageScorer(question: terms, shapes: shapes, vocabularySize: Int(tokenizer.identity.vocabularySize))
    }

    static func answers(_ question: String, in text: String) -> (terms: QuestionTerms, answers: [(text: String, score: Float)]) {
        let scorer = Self.scorer(question)
        let tokens = tokenizer.encodeOrdinary(text)
        var collector = AnswerCollector(top: 5)
        tokens.withUnsafeBufferPointer { buffer in
            scorer.scan(buffer, base: 0, anchorsIn: 0..<buffer.count, source: .corpus,
                        document: { _ in (0..<UInt64(tokens.count), nil) }, into: &collector)
        }
        return (scorer.question, collector.answers.map { (Self.text($0.tokens), $0.score) })
    }

    /// " counted" opens a line as "count" "ed", and "count" alone is its inflection ("*count* is
    /// set", as a header's comment has it): the form credits the word in full where it stands,
    /// and "count" alone is still the inflection, as a whole word only. (Its forms were once
    /// left out for it, and "monitor" "ing" opening a kernel document's line went unfound.)
    @Test func aMiddlingWordsFormHoldingItsInflectionLetsTheInflectionCountAlone() {
        let shapes = Self.shapes
        var lexicon = Self.lexicon()
        lexicon.lineStartForms = { shapes.lineStartForms(ofWord: $0) }
        let terms = QuestionTerms(tokens: Self.tokenizer.encodeOrdinary(" counted"), lexicon: lexicon)
        let count = Self.tokenizer.encodeOrdinary("count")
        #expect(count.count == 1 && terms.inflectedSlots[count[0]] == 0)
        let forms = terms.lineStartForms.indices.filter { !terms.formIsInflected[$0] }.map { Self.text(terms.lineStartForms[$0].ids) }
        #expect(forms.contains("count" + "ed") && forms.contains("_counted"), "\(forms)")
        let scorer = PassageScorer(question: terms, shapes: shapes, vocabularySize: Int(Self.tokenizer.identity.vocabularySize))
        func score(_ text: String) -> Float {
            let line = Self.tokenizer.encodeOrdinary(text)
            return line.withUnsafeBufferPointer { scorer.score($0, 0..<$0.count).score }
        }
        #expect(score("The bytes read are\ncounted twice.") == 1)
        let alone = score("If an error is returned, *count* is set.")
        #expect(alone > 0 && alone <= QuestionTerms.inflectionShare)
        #expect(score("If an error is returned, *counting* is set.") == 0)
        #expect(score("If an error is returned, *countess* is set.") == 0)
    }

    @Test func aKeywordInAnotherFormEarnsAShareBelowTheWordAsAsked() {
        let text = """
        Uninterruptible sleep is handled elsewhere.
        The interrupt handling code runs first.
        Nothing here is about it.
        Only interrupts handled by the controller count.
        """
        let (terms, a) = Self.answers(" interrupts handled", in: text)  // as a query reads it (`QueryEngine`)
        #expect(!terms.inflectedSlots.isEmpty)
        #expect(a.count >= 2, "\(a)")
        #expect(a.first?.text.contains("interrupts handled") == true, "\(a)")
        let inflected = a.first { $0.text.contains("interrupt handling") }
        // Two keywords, each in another form: a share of their weight, and of their pair's bonus.
        #expect(inflected.map { $0.score > 0.3 && $0.score <= QuestionTerms.inflectionShare * a[0].score } == true, "\(a)")
        // "handled" alone outranks the inflected line only by its full weight; "interrupt" inside
        // "Uninterruptible" is no word.
        #expect(a.allSatisfy { !$0.text.contains("Uninterruptible") || $0.score < 0.6 }, "\(a)")
    }

    @Test func aPassageHoldingTheQuestionOnlyInOtherFormsIsNotItsTextFound() {
        let scorer = Self.scorer(" interrupts handled")
        func passage(_ text: String) -> Passage {
            let tokens = Self.tokenizer.encodeOrdinary(text)
            let s = tokens.withUnsafeBufferPointer { scorer.score($0, 0..<$0.count) }
            return Passage(start: 0, tokens: tokens, score: s.score, matchedTokens: s.matched, matchedOffsets: s.offsets,
                           source: .corpus, coverage: s.coverage, phraseCoverage: s.phraseCoverage,
                           holdsAllButTheFrame: s.holdsAllButTheFrame, scoreAsAsked: s.scoreAsAsked)
        }
        let inflected = passage("The interrupt handling code runs first."), asked = passage("Only interrupts handled count.")
        #expect(inflected.score > 0.5 && inflected.scoreAsAsked == 0 && inflected.coverage == 0, "\(inflected)")
        #expect(!Teleporter.isFound(inflected, bestBound: 0.6))
        #expect(asked.scoreAsAsked == asked.score && Teleporter.isFound(asked, bestBound: asked.score))
        // One word as asked, one in another form: only the word as asked counts toward found.
        let half = passage("Only interrupts are handling it.")
        #expect(half.scoreAsAsked < half.score && half.coverage < 0.6, "\(half)")
    }

    @Test func aWordOfSeveralTokensMeetsItsFormsAsWholeForms() {
        let word = Self.tokenizer.encodeOrdinary(" cathedrals")  // " cath" "ed" "r" "als"
        let forms = Self.shapes.inflectedForms(ofWord: word[...]).map(Self.text)
        #expect(forms.contains(" cathedral"), "\(forms)")
        // Not the word's own tokens with a suffix after them; of a word of one token, only its
        // forms of several tokens (" interrupt" "ing"; " interrupt", " interrupted" are its `inflections`).
        #expect(!forms.contains { $0.hasPrefix(" cathedrals") }, "\(forms)")
        let ofOne = Self.shapes.inflectedForms(ofWord: Self.tokenizer.encodeOrdinary(" interrupts")[...])
        #expect(ofOne.map(Self.text).contains(" interrupting") && ofOne.allSatisfy { $0.count >= 2 }, "\(ofOne)")
        let terms = QuestionTerms(tokens: Self.tokenizer.encodeOrdinary(" cathedrals"), lexicon: Self.lexicon(oneToken: false, several: true))
        let scorer = PassageScorer(question: terms, shapes: Self.shapes, vocabularySize: Int(Self.tokenizer.identity.vocabularySize))
        func score(_ text: String) -> (Float, Float) {
            let tokens = Self.tokenizer.encodeOrdinary(text)
            let s = tokens.withUnsafeBufferPointer { scorer.score($0, 0..<$0.count) }
            return (s.score, s.scoreAsAsked)
        }
        let asked = score("Two cathedrals stood."), other = score("One cathedral stood."), longer = score("One cathedralship.")
        #expect(asked.0 > 0.99 && asked.1 == asked.0, "\(asked)")
        // The form earns half the heaviest piece's weight, and none of it as asked.
        #expect(other.0 > 0.25 && other.0 < 0.6 * asked.0 && other.1 == 0, "\(other)")
        // Only where the whole form stands as a word.
        #expect(longer.0 < other.0, "\(longer)")
    }

    @Test func aWordOfOneTokenMeetsItsFormsOfSeveral() {
        // " pasture" is one token, " pastures" two (" past" "ures"): the plural answers the word,
        // below the word as asked, above a line without it.
        let lexicon = Self.lexicon(several: true, isRare: { PassageScorerTests.surprisal($0) >= 16 })
        func terms(_ question: String) -> QuestionTerms { QuestionTerms(tokens: Self.tokenizer.encodeOrdinary(question), lexicon: lexicon) }
        let pasture = terms(" pasture")
        #expect(pasture.lineStartForms.indices.contains { pasture.formIsInflected[$0] && Self.text(pasture.lineStartForms[$0].ids) == " pastures" },
                "\(pasture.lineStartForms.map { Self.text($0.ids) })")
        let scorer = PassageScorer(question: pasture, shapes: Self.shapes, vocabularySize: Int(Self.tokenizer.identity.vocabularySize))
        func score(_ text: String) -> Float {
            let tokens = Self.tokenizer.encodeOrdinary(text)
            return tokens.withUnsafeBufferPointer { scorer.score($0, 0..<$0.count).score }
        }
        let asked = score("Sheep on the pasture."), plural = score("Sheep on the pastures."), other = score("Sheep on the past hill.")
        #expect(plural > 0.5 && plural < asked && other < 0.1, "\(asked) \(plural) \(other)")
        // A form that opens with another form of one token (" interrupt" "ing" of " interrupts")
        // is left to that token's own credit.
        let interrupts = terms(" interrupts")
        #expect(!interrupts.lineStartForms.contains { Self.text($0.ids) == " interrupting" })
        #expect(interrupts.inflectedSlots.keys.contains { Self.text([$0]) == " interrupt" })
    }

    @Test func aPieceOfAKeyOrAWordOfSeveralPiecesIsMatchedAsAsked() {
        let (terms, _) = Self.answers(" sable-lagoon-prime orchards", in: "")
        #expect(terms.inflectedSlots.isEmpty, "\(terms.inflectedSlots.keys.map { Self.text([$0]) })")
        // The words that ask have no forms either.
        let (asking, _) = Self.answers("What does interrupts mean", in: "")
        let credited = Set(asking.inflectedSlots.values.map { asking.spellings[$0][0] }.map { Self.text([$0]) })
        #expect(credited == [" interrupts"], "\(credited)")
    }

    @Test func aWindowHoldingOnlyInflectedFormsIsBoundedByTheirShare() {
        let terms = QuestionTerms(tokens: Self.tokenizer.encodeOrdinary(" interrupts handled"), lexicon: Self.lexicon())
        let scorer = PassageScorer(question: terms, shapes: Self.shapes, vocabularySize: Int(Self.tokenizer.identity.vocabularySize))
        let asked = scorer.bound(presence: { _ in .present })
        let inflected = scorer.bound(presence: { _ in .inflected })
        #expect(asked > 1 && inflected > 0.3 && inflected <= QuestionTerms.inflectionShare * asked + 1e-6, "\(asked) \(inflected)")
        #expect(scorer.bound(presence: { _ in .absent }) == 0)
    }
}

/// The same, routed through a real index over text that never repeats.
@Suite struct RoutedInflectionTests {
    @Test func routingFindsAKeywordsOtherFormsInTheirOrder() throws {
        let (tokens, _) = TeleportTests.essays(with: [
            ("A lantern hung by the door.", 0.1),                                       // one keyword
            ("The night watch polished the brass lantern during the harvest.", 0.4),    // all three, inflected
            ("Polishing the lantern after harvesting is a tradition.", 0.8),            // all three as asked
            ("Old cathedrals are cold.", 0.2),                                          // the word as asked
            ("The bells rang at noon.", 0.5),                                           // two of three, earlier
            ("The bells of the old cathedral rang at noon.", 0.6),                      // the third in one token
        ])
        let f = try TeleportTests.Fixture(tokens, tag: "teleport-inflections")
        let routed = try f.ask(" polishing lantern harvesting")
        let texts = routed.passages.map(f.text)
        #expect(texts.count >= 3, "\(texts)")
        #expect(texts.first?.contains("Polishing the lantern after harvesting") == true, "\(texts)")
        #expect(texts.dropFirst().first?.contains("polished the brass lantern during the harvest") == true, "\(texts)")
        // Every answer above the floor is the exhaustive pass's: the inflected forms' windows are bounded too.
        let rescan = try f.ask(" polishing lantern harvesting", exhaustive: true)
        let above = rescan.passages.prefix { $0.score >= Teleporter.defaultAnswerFloor * rescan.passages[0].score }
        #expect(Array(routed.passages.prefix(above.count)) == Array(above))
        // A word of several tokens (" cath" "ed" "r" "als") meets its form of one: the line
        // holding it and the two other words outranks the earlier line holding only those two.
        let bells = try f.ask(" cathedrals bells noon")
        let order = bells.passages.map(f.text)
        let form = order.firstIndex { $0.contains("old cathedral rang") }, two = order.firstIndex { $0.contains("The bells rang") }
        #expect(form != nil && two != nil && form! < two!, "\(order)")
        let bellsRescan = try f.ask(" cathedrals bells noon", exhaustive: true)
        let bellsAbove = bellsRescan.passages.prefix { $0.score >= Teleporter.defaultAnswerFloor * bellsRescan.passages[0].score }
        #expect(Array(bells.passages.prefix(bellsAbove.count)) == Array(bellsAbove))
    }
}
