import Testing
@testable import ProteusIndex

/// A piece of the question's word standing in another word of the text earns half of it
/// (`PassageScorer.otherWordShare`): here, a compound's or an identifier's piece that goes on
/// with letters that are not the question's, and a later piece of a plain word where the
/// text's word starts with it (the first piece of a plain word ending early is
/// `PassageScorerTests.aWordsFirstPieceStandingAsAnotherWordEarnsHalfOfIt`).
@Suite struct AnotherWordTests {
    static let tokenizer = TokenizerFixtures.cl100k

    static func coverage(_ scorer: PassageScorer, _ text: String) -> Float {
        let tokens = tokenizer.encodeOrdinary(text)
        return tokens.withUnsafeBufferPointer { scorer.score($0, 0..<$0.count).coverage }
    }

    @Test func anIdentifiersPieceGoingOnWithOtherLettersIsAnotherWord() {
        // " vm" ".sw" "appiness": ".sw", in three windows of the kernel documentation, weighed
        // most, and "alt.swedish.chef" (".sw" "ed" "ish") answered "vm.swappiness" second.
        let scorer = PassageScorerTests.scorer(" vm.swappiness")
        let q = scorer.question
        let pieces = Self.tokenizer.encodeOrdinary(" vm.swappiness")
        #expect(pieces.count == 3, "\(pieces)")
        let sw = q.slot(of: pieces[1])!
        #expect(q.goesOnInPiece[sw] && !q.goesOnInPiece[q.slot(of: pieces[0])!] && !q.goesOnInPiece[q.slot(of: pieces[2])!])
        let share = q.weights[sw] / q.totalWeight
        #expect(abs(Self.coverage(scorer, "see alt.swedish.chef for that") - PassageScorer.otherWordShare * share) < 1e-5)
        #expect(abs(Self.coverage(scorer, "set vm.swappiness to 10") - 1) < 1e-5)
        // Where a new piece follows, the piece is whole: "vm.sw_limit" holds ".sw" as asked.
        #expect(abs(Self.coverage(scorer, "the knob vm.sw_limit is") - (share + q.weights[q.slot(of: pieces[0])!] / q.totalWeight)) < 1e-5)
        // And the answer holding the identifier comes first.
        let a = PassageScorerTests.answers("What is the default value of vm.swappiness?",
                                           in: "The alt.swedish.chef group began as a joke.\nThe default vm.swappiness is 60.\n")
        #expect(a.first?.text.contains("vm.swappiness") == true && a.count == 2 && a[1].score < a[0].score / 2, "\(a)")
    }

    @Test func aWordsLaterPieceStartingAnotherWordIsAnotherWord() {
        // " --" "ref" "link": coreutils' manual answered "what does the --reflink option of cp
        // do" with a paragraph on "--link" and "symbolic link" (" link", and "link" after
        // "--", earned the word's heaviest piece but one in full), not the option's own.
        let scorer = PassageScorerTests.scorer(" --reflink")
        let q = scorer.question
        let pieces = Self.tokenizer.encodeOrdinary(" --reflink")
        #expect(pieces.count == 3, "\(pieces)")
        let link = q.slot(of: pieces[2])!, ref = q.slot(of: pieces[1])!, dashes = q.slot(of: pieces[0])!
        #expect(q.goesOnWordOnly[link] && !q.goesOnWordOnly[ref] && !q.goesOnWordOnly[dashes])
        let share = q.weights[link] / q.totalWeight, dashesShare = q.weights[dashes] / q.totalWeight
        #expect(abs(Self.coverage(scorer, "a symbolic link here") - PassageScorer.otherWordShare * share) < 1e-5)
        #expect(abs(Self.coverage(scorer, "with --link instead") - (PassageScorer.otherWordShare * share + dashesShare)) < 1e-5)
        // Inside a word, the piece is as asked (another word holding it, as before: "readlink").
        #expect(abs(Self.coverage(scorer, "see readlink here") - share) < 1e-5)
        #expect(abs(Self.coverage(scorer, "cp --reflink=auto") - 1) < 1e-5)
        // An identifier's piece goes on its word ("_runtime" of "pm_runtime").
        let identifier = PassageScorerTests.scorer(" pm_runtime")
        let parts = Self.tokenizer.encodeOrdinary(" pm_runtime")
        #expect(parts.count == 2 && identifier.question.goesOnWordOnly[identifier.question.slot(of: parts[1])!], "\(parts)")
        #expect(abs(Self.coverage(identifier, "call pm_runtime now") - 1) < 1e-5)
        // A piece that also stands alone in the question is that word wherever it stands.
        let alone = PassageScorerTests.scorer(" link and --reflink").question
        #expect(alone.goesOnWordOnly[alone.slot(of: pieces[2])!] == false)
        let a = PassageScorerTests.answers("What does the --reflink option of cp do?",
                                           in: "With cp the --link option makes a hard link.\nThe --reflink option of cp clones blocks.\n")
        #expect(a.first?.text.contains("reflink") == true, "\(a)")
    }
}
