import Testing
@testable import ProteusIndex

/// A word in the other case of its letters, as a person types an acronym: "numa" meets the
/// text's "NUMA", "KASAN" its "kasan", whatever the tokenizer makes of each.
@Suite struct CaseFormTests {
    static let tokenizer = PassageScorerTests.tokenizer
    static let shapes = InflectionTests.shapes

    static func forms(_ word: String) -> [String] {
        Self.shapes.caseForms(ofWord: Self.tokenizer.encodeOrdinary(word)[...]).map { InflectionTests.text($0.ids) }
    }

    @Test func anAcronymIsLookedForInTheOtherCaseAfterASpaceAndAtALineStart() {
        #expect(Set(Self.forms(" numa")) == [" NUMA", "NUMA"], "\(Self.forms(" numa"))")
        #expect(Set(Self.forms(" KASAN")) == [" kasan", "kasan"], "\(Self.forms(" KASAN"))")
        // One capital: only all capitals (its lowercase is a spelling already).
        #expect(Set(Self.forms(" Numa")) == [" NUMA", "NUMA"])
        // A longer word in lowercase is no acronym; in capitals it is looked for in lowercase.
        #expect(Self.forms(" balancing").isEmpty)
        #expect(Self.forms(" SIGTERM").contains(" sigterm"), "\(Self.forms(" SIGTERM"))")
        // An identifier goes either way, its digits and "_" as they are.
        #expect(Self.forms(" kvm_max_vcpu_ids").contains(" KVM_MAX_VCPU_IDS"), "\(Self.forms(" kvm_max_vcpu_ids"))")
        #expect(Self.forms(" DRA7_CLK").contains(" dra7_clk"), "\(Self.forms(" DRA7_CLK"))")
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
        let scorer = PassageScorer(question: question, shapes: shapes, vocabularySize: Int(Self.tokenizer.identity.vocabularySize))
        let text = "Load balancing happens here.\nAutomatic NUMA balancing scans the tasks.\nThe NUMAX balancing board.\n"
        let tokens = Self.tokenizer.encodeOrdinary(text)
        var collector = AnswerCollector(top: 3)
        tokens.withUnsafeBufferPointer { b in
            scorer.scan(b, base: 0, anchorsIn: 0..<b.count, source: .corpus, document: { _ in 0..<UInt64(tokens.count) }, into: &collector)
        }
        let answers = collector.answers.map { (InflectionTests.text($0.tokens), $0.score) }
        #expect(answers.first?.0.contains("NUMA balancing") == true, "\(answers)")
        // "NUMAX" is another word: it does not hold the form.
        #expect(answers.allSatisfy { !$0.0.contains("NUMAX") || $0.1 < answers[0].1 }, "\(answers)")
    }
}
