import Testing
@testable import ProteusIndex

/// Answers that routing reads on to, past windows that seemed to hold them: a quote past the
/// lines that echo it, a dictionary's headword whose piece is another word of the question.
/// Each builds its own index (`TeleportTests.Fixture`).
@Suite struct RoutedAnswerTests {
    @Test func aLineEchoingAQuoteOfCommonWordsIsNotItsAnswer() throws {
        // Every word of the quote stands in every window, so every window ties on the best
        // bound, read in window order. The first windows hold a line that echoes the quote but
        // for its rarest word ("documentation of bytes" for "documentation of chain"): it
        // scores over `foundShare` of the question's weight, but well below the bound that
        // the quote's own line reaches, and routing reads on to that line.
        let filler = "The weather report for the valley said nothing new today.\n"
        let reader = "A reader may see the documentation.\n"
        let chain = "The chain broke again.\n"
        let echo = "This struct is created by calling bytes on a reader. Please see the documentation of bytes for more details.\n"
        let quote = "This struct is created by calling chain on a reader. Please see the documentation of chain for more details.\n"
        let window = String(repeating: filler, count: 15) + reader + chain + echo + String(repeating: filler, count: 15)
        let text = String(repeating: window, count: 30) + String(repeating: filler, count: 20) + quote + String(repeating: window, count: 2)
        let f = try TeleportTests.Fixture(TeleportTests.tokenizer.encodeOrdinary(text), window: 512, buffer: 64, tag: "teleport-echo")
        let question = "a reader. Please see the documentation of chain"
        let every = try f.ask(question, exhaustive: true)
        let answer = try #require(every.passages.first)
        try #require(f.text(answer).contains(question), "\(every.passages.map(f.text))")
        let echoed = try #require(every.passages.first { f.text($0).contains("documentation of bytes") })
        // The echo's share of the best bound lies between the two rules.
        let bound = answer.score
        try #require(echoed.score >= Teleporter.foundShare && echoed.score >= Teleporter.foundShare * bound
                     && echoed.score < Teleporter.boundFoundShare * bound, "\(echoed.score) \(bound)")
        let r = try f.ask(question, maxWindows: 2)
        #expect(r.passages.first.map(f.text) == f.text(answer), "\(r.passages.map(f.text))")
        #expect(r.windowsRead > 20, "\(r.windowsRead)")
    }

    @Test func aHeadwordWhosePieceIsAnotherWordOfTheQuestionIsMet() throws {
        // " Provine" is " Prov" "ine", the headword "Provine" opening a line "Pro" "vine", and
        // " vine" is the question's third word: the form's "vine" credits that word, its "Pro"
        // the first (the form was dropped, and the answer was the gloss without its headword).
        var tokens = TeleportTests.essayTokens
        let line = "\nProvine, v. i. To lay a stock or branch of a vine in the ground for propagation.\n"
        let at = TeleportTests.insert(line, atSentenceEndBefore: tokens.count * 2 / 5, into: &tokens)
        #expect(TeleportTests.tokenizer.encodeOrdinary("Provine").map { InflectionTests.text([$0]) } == ["Pro", "vine"])
        let f = try TeleportTests.Fixture(tokens, window: 1_024, pairFilters: true, tag: "teleport-headword")
        let question = try f.engine.tokenize("Provine propagation vine")
        let terms = f.teleporter.terms(question)
        let vine = try #require(terms.slot(of: TeleportTests.tokenizer.encodeOrdinary(" vine")[0]))
        #expect(terms.lineStartForms.contains { $0.ids == TeleportTests.tokenizer.encodeOrdinary("Provine") && $0.slots == [0, vine] },
                "\(terms.lineStartForms)")
        let routed = try f.teleporter.answer(tokens: question, top: 5, maxWindows: 64)
        let best = try #require(routed.passages.first)
        #expect(f.text(best).hasPrefix("Provine, v. i.") && best.start == UInt64(at + 1), "\(routed.passages.map(f.text))")
        let rescan = try f.teleporter.answer(tokens: question, top: 5, maxWindows: 64, exhaustive: true)
        #expect(rescan.passages.first == best)
    }
}
