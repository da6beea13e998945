import Testing
@testable import ProteusIndex

/// A word in the other case of its letters, as a person types an acronym: "numa" meets the
/// text's "NUMA", "KASAN" its "kasan", whatever the tokenizer makes of each.
@Suite struct CaseFormTests {
    static let tokenizer = PassageScorerTests.tokenizer
    static let shapes = InflectionTests.shapes

    /// The case forms of `word` after a space and at a line start...
    static func forms(_ word: String) -> [String] {
        allForms(word).filter { !gluing($0) }
    }

    /// ...and glued to a character before it.
    static func gluedForms(_ word: String) -> [String] {
        allForms(word).filter(gluing)
    }

    static func allForms(_ word: String) -> [String] {
        Self.shapes.caseForms(ofWord: Self.tokenizer.encodeOrdinary(word)[...]).map { InflectionTests.text($0.ids) }
    }

    static func gluing(_ form: String) -> Bool { form.utf8.first.map(TokenShapes.gluingCharacters.contains) ?? false }

    /// The best 3 passages of `text` for `question`, with their scores.
    static func answers(_ question: QuestionTerms, in text: String) -> [(String, Float)] {
        let scorer = PassageScorer(question: question, shapes: shapes, vocabularySize: Int(tokenizer.identity.vocabularySize))
        let tokens = tokenizer.encodeOrdinary(text)
        var collector = AnswerCollector(top: 3)
        tokens.withUnsafeBufferPointer { b in
            scorer.scan(b, base: 0, anchorsIn: 0..<b.count, source: .corpus, document: { _ in (0..<UInt64(tokens.count), nil) }, into: &collector)
        }
        return collector.answers.map { (InflectionTests.text($0.tokens), $0.score) }
    }

    /// The terms of `question` as a query makes them, every id in the corpus and `rare` telling
    /// the rare ones, with the other case and the guessed capitals looked for.
    static func terms(_ question: String, rare: @escaping (UInt32) -> Bool) -> QuestionTerms {
        let shapes = Self.shapes
        let lexicon = QuestionTerms.Lexicon(surprisal: PassageScorerTests.surprisal, occurs: { _ in true },
                                            spellings: { shapes.spellings(of: $0) }, isContent: { shapes.isContent($0) },
                                            startsWord: { shapes.startsWord($0) }, endsInWord: { shapes.endsInWord($0) },
                                            joinFlags: { shapes.joinFlags($0) }, lineStartForms: { shapes.lineStartForms(ofWord: $0) },
                                            isRare: rare, continuesIdentifier: { shapes.continuesIdentifier($0) },
                                            caseForms: { shapes.caseForms(ofWord: $0) }, mixedCaseForms: { shapes.mixedCaseForms(ofWord: $0) })
        return QuestionTerms(tokens: Self.tokenizer.encodeOrdinary(question), lexicon: lexicon)
    }

    @Test func aWordOfLettersAndDigitsIsLookedForInTheOtherCase() {
        // Perl's "VS2015" typed "vs2015" (" vs" "201" "5", then " VS" "201" "5"), "SHA256" as
        // "sha256"; a word of one letter and digits ("x86", "v2") is left as typed.
        #expect(Self.forms(" vs2015").contains(" VS2015") && Self.forms(" SHA256").contains(" sha256"),
                "\(Self.forms(" vs2015")) \(Self.forms(" SHA256"))")
        #expect(Self.allForms(" x86").isEmpty && Self.allForms(" v2").isEmpty)
    }

    @Test func aCompoundIsLookedForInTheOtherCase() {
        // "pa-risc" for Perl's "PA-RISC", "msi-x" for a header's "MSI-X", "sub-numa" for
        // "Sub-NUMA"'s capitals; a word ending in "-" is no compound.
        #expect(Self.forms(" pa-risc").contains(" PA-RISC") && Self.forms(" MSI-X").contains(" msi-x"),
                "\(Self.forms(" pa-risc")) \(Self.forms(" MSI-X"))")
        #expect(Self.allForms(" pa-").isEmpty)
        let terms = Self.terms(" itanium pa-risc loaded", rare: { _ in true })
        let a = Self.answers(terms, in: "Itanium and pa-dev loaded risc code.\nBuilt for Itanium, PA-RISC and others; loaded late.\n")
        #expect(a.first?.0.contains("PA-RISC") == true, "\(a)")
        // The focused tokenizer holds the compound's keys: its forms are the whole table's.
        #expect(TokenShapes.formTexts(ofQuestion: "itanium pa-risc").first?.contains(" PA-RISC") == true)
    }

    @Test func aWordInTheOtherCaseIsLookedForGluedToACharacter() {
        // Perl's documentation writes "C<TARG>": " C" "<T" "ARG" ">", and "targ" typed in
        // lowercase meets it; "(NULL" is one token. "$TARG" is "$" "T" "ARG": the "$" splits
        // off, and the rest is the line-start form.
        let targ = Self.gluedForms(" targ")
        #expect(targ.contains("<TARG") && targ.contains(".TARG") && !targ.contains("$TARG") && Self.forms(" targ").contains("TARG"), "\(targ)")
        #expect(Self.gluedForms(" null").contains("(NULL"), "\(Self.allForms(" null"))")
        // Not after "_": "SPKI_WEB" is a longer name, no "web" (C headers lost answers to it).
        #expect(!Self.gluedForms(" web").contains("_WEB") && Self.gluedForms(" web").contains(".WEB"), "\(Self.allForms(" web"))")
        let terms = Self.terms(" targ len", rare: { _ in true })
        let a = Self.answers(terms, in: "The TARGET len is set.\nThe C<len> indicates the length.  Does not use C<TARG>.\n")
        #expect(a.first?.0.contains("C<TARG>") == true && a.first.map { $0.1 > 0.99 } == true, "\(a)")
    }

    @Test func anAcronymIsLookedForInTheOtherCaseAfterASpaceAndAtALineStart() {
        #expect(Set(Self.forms(" numa")) == [" NUMA", "NUMA"], "\(Self.forms(" numa"))")
        #expect(Set(Self.forms(" KASAN")) == [" kasan", "kasan"], "\(Self.forms(" KASAN"))")
        // One capital: only all capitals (its lowercase is a spelling already).
        #expect(Set(Self.forms(" Numa")) == [" NUMA", "NUMA"])
        // A longer word in lowercase too, as a keyword, a constant or a licence writes it; in
        // capitals it is looked for in lowercase.
        #expect(Set(Self.forms(" balancing")) == [" BALANCING", "BALANCING"], "\(Self.forms(" balancing"))")
        #expect(Self.forms(" enumerated").contains(" ENUMERATED") && Self.forms(" disclaimed").contains(" DISCLAIMED"))
        #expect(Self.forms(" pfneglswapbufferswithdamageextproc").contains(" PFNEGLSWAPBUFFERSWITHDAMAGEEXTPROC"))
        #expect(Self.forms(" " + String(repeating: "ab", count: 25)).isEmpty && Self.forms(" ab").isEmpty)
        #expect(Self.forms(" SIGTERM").contains(" sigterm"), "\(Self.forms(" SIGTERM"))")
        // An identifier goes either way, its digits and "_" as they are.
        #expect(Self.forms(" kvm_max_vcpu_ids").contains(" KVM_MAX_VCPU_IDS"), "\(Self.forms(" kvm_max_vcpu_ids"))")
        #expect(Self.forms(" DRA7_CLK").contains(" dra7_clk"), "\(Self.forms(" DRA7_CLK"))")
        // Typed in lowercase, its parts also each way, as code mixes them ("ret_ERRVAL").
        #expect(Set(Self.forms(" ret_errval")) == [" RET_ERRVAL", "RET_ERRVAL", " ret_ERRVAL", "ret_ERRVAL", " RET_errval", "RET_errval"],
                "\(Self.forms(" ret_errval"))")
        #expect(Self.forms(" string_arch_unaligned").contains("STRING_ARCH_unaligned"), "\(Self.forms(" string_arch_unaligned"))")
        // Four parts or more: its first parts in capitals, or its last, and no other mix.
        let four = Self.forms(" ssl_ctx_set_options")
        #expect(four.contains(" SSL_CTX_set_options") && four.contains(" SSL_ctx_set_options")
                && four.contains(" ssl_ctx_SET_OPTIONS") && !four.contains(" ssl_CTX_set_options"), "\(four)")
        #expect(!Self.forms(" a_b_c_d_e_f_g").contains(where: { $0.contains("A_b") }), "seven parts: no mix")
        #expect(!Self.forms(" RET_ERRVAL").contains(where: { $0.contains("ret_ERRVAL") }), "typed with capitals: no mix")
        // Too short, not letters, or no space before it: none.
        #expect(Self.forms(" us").isEmpty && Self.forms(" x86").isEmpty && Self.forms("numa").isEmpty)
        // Each form's tokens credit the question's token holding their last byte.
        let form = Self.shapes.caseForms(ofWord: Self.tokenizer.encodeOrdinary(" numa")[...]).first { $0.ids.count == 2 }
        #expect(form?.covering == [0, 0], "\(String(describing: form))")
    }

    @Test func theTextsAcronymAnswersTheWordTypedInLowercase() {
        let shapes = Self.shapes
        let lexicon = QuestionTerms.Lexicon(surprisal: PassageScorerTests.surprisal, occurs: { _ in true },
                                            spellings: { shapes.spellings(of: $0) }, isContent: { shapes.isContent($0) },
                                            startsWord: { shapes.startsWord($0) }, endsInWord: { shapes.endsInWord($0) },
                                            joinFlags: { shapes.joinFlags($0) }, lineStartForms: { shapes.lineStartForms(ofWord: $0) },
                                            isRare: { _ in true }, continuesIdentifier: { shapes.continuesIdentifier($0) },
                                            caseForms: { shapes.caseForms(ofWord: $0) })
        let question = QuestionTerms(tokens: Self.tokenizer.encodeOrdinary(" numa balancing"), lexicon: lexicon)
        let answers = Self.answers(question, in: "Load balancing happens here.\nAutomatic NUMA balancing scans the tasks.\nThe NUMAX balancing board.\n")
        #expect(answers.first?.0.contains("NUMA balancing") == true, "\(answers)")
        // "NUMAX" is another word: it does not hold the form.
        #expect(answers.allSatisfy { !$0.0.contains("NUMAX") || $0.1 < answers[0].1 }, "\(answers)")
    }

    /// A lowercase word ending in "s" is also an acronym's plural ("apis" for "APIs"), where the
    /// tokenizer learned the plural as one token or it is the capitals and then "s".
    @Test func anAcronymsPluralIsLookedForInItsCapitals() {
        #expect(Self.forms(" apis").contains(" APIs") && Self.forms(" urls").contains(" URLs"), "\(Self.forms(" apis"))")
        let pieces = Self.forms(" gpus").filter { $0.hasSuffix("Us") || $0.hasSuffix("s") && !$0.hasSuffix("S") }
        #expect(pieces.allSatisfy { $0.hasSuffix("GPUs") }, "\(pieces)")
        // Two letters, capitals, no "s" at the end: none.
        #expect(TokenShapes.pluralAcronym(of: Array("us".utf8)) == nil && TokenShapes.pluralAcronym(of: Array("APIS".utf8)) == nil
                && TokenShapes.pluralAcronym(of: Array("ids".utf8)) == Array("IDs".utf8))
        // The text's "APIs" answers the word typed in lowercase (GNU's Info manuals: "apis
        // future recommended" met only a listing of "Affected APIs").
        let answers = Self.answers(Self.terms(" apis", rare: { _ in true }), in: "Nothing here.\nNever expose them in user-facing APIs.\n")
        #expect(answers.count == 1 && answers[0].0.contains("user-facing APIs"), "\(answers)")
    }

    /// A word glued to "_" after another word's letters stands inside another identifier: it
    /// is another word there, for half ("localentry" of "_dl_error_localentry"); in brackets,
    /// "(localentry)", it is the word itself.
    @Test func aWordInsideAnotherIdentifierIsAnotherWord() {
        let question = Self.terms(" localentry", rare: { _ in true })
        #expect(question.lineStartForms.indices.contains { question.formContinuesIdentifier[$0] }, "\(question.lineStartForms)")
        let answers = Self.answers(question, in: "Defines dl_error_localentry here.\n\nUses (localentry) there.\n\nNothing else.\n")
        #expect(answers.count == 2 && answers[0].0.contains("(localentry)"), "\(answers)")
        #expect(answers.count == 2 && answers[1].0.contains("dl_error_localentry") && answers[1].1 < answers[0].1, "\(answers)")
    }

    /// A middling word (neither rare nor in most windows) meets its other case: "connect" typed
    /// for the proxy's "CONNECT" method, which stands in a few windows where " connect" stands
    /// in half, and as well where the capitals are as common as the word.
    @Test func aMiddlingWordMeetsItsOtherCase() {
        let capitals = Self.tokenizer.encodeOrdinary(" CONNECT") + Self.tokenizer.encodeOrdinary("CONNECT")
        let tunnel = Self.tokenizer.encodeOrdinary(" tunnel")
        func ask(formIsRare: Bool) -> QuestionTerms {
            Self.terms(" connect tunnel") { tunnel.contains($0) || (formIsRare && capitals.contains($0)) }
        }
        let question = ask(formIsRare: true)
        #expect(question.lineStartForms.contains { InflectionTests.text($0.ids) == " CONNECT" && $0.slots.allSatisfy { $0 == 0 } },
                "\(question.lineStartForms)")
        let answers = Self.answers(question, in: "A tunnel was dug.\nClients connect here.\nThe CONNECT method is used to tunnel SSL.\n")
        #expect(answers.first?.0.contains("CONNECT method is used to tunnel") == true, "\(answers)")
        // Its capitals as common as the word: looked for all the same (a licence's "CLAIM").
        #expect(ask(formIsRare: false).lineStartForms.contains { InflectionTests.text($0.ids) == " CONNECT" && $0.slots.allSatisfy { $0 == 0 } })
    }

    static func mixedForms(_ word: String) -> [String] {
        Self.shapes.mixedCaseForms(ofWord: Self.tokenizer.encodeOrdinary(word)[...]).map { InflectionTests.text($0.ids) }
    }

    @Test func aNameTypedInLowercaseIsLookedForInMixedCase() {
        #expect(Self.mixedForms(" kicad").contains(" KiCad"), "\(Self.mixedForms(" kicad"))")
        #expect(Self.mixedForms(" kicad").contains("KiCad"), "\(Self.mixedForms(" kicad"))")
        #expect(Self.mixedForms(" mccarthy").contains(" McCarthy"), "\(Self.mixedForms(" mccarthy"))")
        #expect(Self.mixedForms(" github").contains(" GitHub"), "\(Self.mixedForms(" github"))")
        #expect(Self.mixedForms(" gnucash").contains(" GnuCash"), "\(Self.mixedForms(" gnucash"))")
        // A guess whose inner capital opens no last token of three letters is no name.
        #expect(!Self.mixedForms(" scrubbing").contains { $0.hasSuffix("ScRubbing") }, "\(Self.mixedForms(" scrubbing"))")
        #expect(Self.mixedForms(" scrubbing").allSatisfy { !$0.hasSuffix("bing") }, "\(Self.mixedForms(" scrubbing"))")
        #expect(TokenShapes.mixedCaseSpellings(of: Array("kicad".utf8)).map { String(decoding: $0, as: UTF8.self) } == ["KIcad", "KiCad", "KicAd"])
        // A capital run before a word: "XPath", "IIter" (" II" "ter": the last token follows the run).
        #expect(Self.mixedForms(" xpath").contains(" XPath"), "\(Self.mixedForms(" xpath"))")
        #expect(Self.mixedForms(" iiter").contains(" IIter"), "\(Self.mixedForms(" iiter"))")
        // Only a lowercase word of 5 to 10 letters after a space (its capitals are a case form).
        #expect(Self.mixedForms(" KiCad").isEmpty && Self.mixedForms(" nues").isEmpty)
        #expect(Self.mixedForms(" javascripts").isEmpty && Self.mixedForms(" numa").isEmpty, "\(Self.mixedForms(" javascripts"))")
        #expect(Self.mixedForms(" balancing").allSatisfy { $0.uppercased() != $0 }, "\(Self.mixedForms(" balancing"))")
        #expect(Self.mixedForms("kicad").isEmpty && Self.mixedForms(" ki2cad").isEmpty)
    }

    /// A long word typed in lowercase meets the text's capitals (a language's keywords, a
    /// constant, a licence), the word itself rare or not and the capitals too: "enumerated" of
    /// the types "BOOLEAN, ENUMERATED, BYTES".
    @Test func aLongWordTypedInLowercaseMeetsItsCapitals() {
        let capitals = Set(Self.tokenizer.encodeOrdinary(" ENUMERATED") + Self.tokenizer.encodeOrdinary("ENUMERATED"))
        let own = Set(Self.tokenizer.encodeOrdinary(" enumerated"))
        let bytes = Self.tokenizer.encodeOrdinary(" bytes")
        func ask(formIsRare: Bool) -> QuestionTerms {
            Self.terms(" enumerated bytes") { bytes.contains($0) || (formIsRare && capitals.contains($0) && !own.contains($0)) }
        }
        #expect(own.count == 1)  // one token, in many windows: the word itself is no rare one
        let question = ask(formIsRare: true)
        let answers = Self.answers(question, in: "Bytes are read.\nThe enumerated values.\nThere are BOOLEAN, ENUMERATED, BYTES and bytes types.\n")
        #expect(answers.first?.0.contains("ENUMERATED, BYTES and bytes") == true, "\(answers)")
        #expect(ask(formIsRare: false).lineStartForms.contains { InflectionTests.text($0.ids) == " ENUMERATED" && $0.slots.allSatisfy { $0 == 0 } })
    }

    /// The mixed-case form answers the word typed in lowercase where it brings a rare piece of
    /// its own; one whose only rare piece is the typed word's is not looked for.
    @Test func theTextsMixedCaseAnswersTheWordTypedInLowercaseWhereItBringsARarePiece() {
        let shapes = Self.shapes
        func ask(_ question: String, rare: @escaping (UInt32) -> Bool) -> QuestionTerms {
            let lexicon = QuestionTerms.Lexicon(surprisal: PassageScorerTests.surprisal, occurs: { _ in true },
                                                spellings: { shapes.spellings(of: $0) }, isContent: { shapes.isContent($0) },
                                                startsWord: { shapes.startsWord($0) }, endsInWord: { shapes.endsInWord($0) },
                                                joinFlags: { shapes.joinFlags($0) }, lineStartForms: { shapes.lineStartForms(ofWord: $0) },
                                                isRare: rare, continuesIdentifier: { shapes.continuesIdentifier($0) },
                                                mixedCaseForms: { shapes.mixedCaseForms(ofWord: $0) })
            return QuestionTerms(tokens: Self.tokenizer.encodeOrdinary(question), lexicon: lexicon)
        }
        let kiCad = Self.tokenizer.encodeOrdinary(" KiCad")
        let question = ask(" kicad footprints") { kiCad.contains($0) }
        let answers = Self.answers(question, in: "Footprints are drawn by hand.\nKiCad footprints live in libraries.\nThe kiln footprints dried.\n")
        #expect(answers.first?.0.contains("KiCad footprints") == true, "\(answers)")
        // No piece of it rare: the forms are not looked for, and the line scores as the others.
        let none = ask(" kicad footprints") { _ in false }
        #expect(none.lineStartForms.count < question.lineStartForms.count)
    }
}
