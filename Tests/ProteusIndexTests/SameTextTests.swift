import Testing
@testable import ProteusIndex

/// Answers with the same text are one answer: a repeated passage (a licence in every package)
/// does not fill the answers with copies of itself.
@Suite struct SameTextTests {
    static let tokenizer = PassageScorerTests.tokenizer
    static let shapes = TokenShapes(tokenizer: tokenizer, vocabularySize: Int(tokenizer.identity.vocabularySize))

    static func key(_ text: String) -> UInt64 {
        tokenizer.encodeOrdinary(text).withUnsafeBufferPointer { shapes.textKey($0) }
    }

    @Test func whitespaceAloneDoesNotMakeAnotherText() {
        let plain = Self.key("IN NO EVENT SHALL THE AUTHORS BE LIABLE FOR ANY CLAIM,")
        #expect(Self.key("IN NO EVENT SHALL\n   THE AUTHORS BE LIABLE FOR ANY CLAIM,") == plain)
        #expect(Self.key("\n IN NO EVENT  SHALL THE AUTHORS\tBE LIABLE FOR ANY CLAIM,\n") == plain)
        // A character differs, or a space comes or goes inside a word: another text.
        #expect(Self.key("IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR ANY CLAIM,") != plain)
        #expect(Self.key("IN NO EVENT SHALL THE AUTHORS BE LIABLE FOR ANY CLAIM.") != plain)
        #expect(Self.key("IN NO EVENT SHALL THE AUTH ORS BE LIABLE FOR ANY CLAIM,") != plain)
        #expect(Self.key("in no event shall the authors be liable for any claim,") != plain)
    }

    @Test func withoutATokenizerTheIdsAreTheText() {
        let bare = TokenShapes(tokenizer: nil, vocabularySize: 100)
        let a: [UInt32] = [1, 2, 3], b: [UInt32] = [1, 2, 4]
        #expect(a.withUnsafeBufferPointer { bare.textKey($0) } == a.withUnsafeBufferPointer { bare.textKey($0) })
        #expect(a.withUnsafeBufferPointer { bare.textKey($0) } != b.withUnsafeBufferPointer { bare.textKey($0) })
    }

    @Test func copiesOfOnePassageLeaveRoomForTheNextAnswer() {
        // The notice six times, indented two ways, then the line that holds three of the
        // question's words: with copies kept, the notice's six copies took all five answers.
        let notice = "IN NO EVENT SHALL GROUPE BULL BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY."
        var text = ""
        for k in 0..<6 { text += (k % 2 == 0 ? "" : "   ") + notice + "\n\nSee the file for details.\n\n" }
        text += "Portions of it have been taken from a BSD variant and are licensed as such.\n"
        let answers = PassageScorerTests.answers("variant taken GROUPE been CLAIM", in: text, top: 5)
        #expect(answers.filter { $0.text.contains("GROUPE BULL") }.count == 1)
        #expect(answers.contains { $0.text.contains("BSD variant") })
    }

    @Test func theCopyKeptIsTheFirstWhateverTheOrder() {
        func passage(_ start: UInt64, _ score: Float, text: UInt64) -> Passage {
            Passage(start: start, tokens: [1, 2, 3], score: score, matchedTokens: 1, matchedOffsets: [0], source: .corpus,
                    textKey: text)
        }
        let offers = [passage(900, 0.8, text: 7), passage(100, 0.8, text: 7), passage(500, 0.8, text: 7),
                      passage(300, 0.5, text: 8), passage(700, 0.4, text: 9)]
        var forward = AnswerCollector(top: 3), backward = AnswerCollector(top: 3)
        for p in offers { forward.offer(p) }
        for p in offers.reversed() { backward.offer(p) }
        #expect(forward.answers == backward.answers)
        #expect(forward.answers.map(\.start) == [100, 300, 700])
        // The `top`-th answer, which the reading must beat, is the third text's.
        #expect(forward.threshold == 0.4)
        // A better copy replaces the one kept.
        forward.offer(passage(2_000, 0.9, text: 8))
        #expect(forward.answers.map(\.start) == [2_000, 100, 700])
    }
}
