import Testing
@testable import ProteusIndex

/// A piece of the question's word standing in another word of the text earns half of it
/// (`PassageScorer.otherWordShare`): here, a compound's or an identifier's piece that goes on
/// with letters that are not the question's (the first piece of a plain word ending early is
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
}
