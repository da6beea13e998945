import Testing
@testable import ProteusIndex

/// A passage whose words stand in a better answer's is no answer: a repeated passage (a
/// licence in every package, wrapped and cut otherwise) does not fill the answers with copies.
@Suite struct SameTextTests {
    static let tokenizer = PassageScorerTests.tokenizer
    static let shapes = TokenShapes(tokenizer: tokenizer, vocabularySize: Int(tokenizer.identity.vocabularySize))

    static func text(_ s: String) -> AnswerText {
        tokenizer.encodeOrdinary(s).withUnsafeBufferPointer { shapes.answerText($0) }
    }

    @Test func whitespaceAloneDoesNotMakeAnotherText() {
        let plain = Self.text("IN NO EVENT SHALL THE AUTHORS BE LIABLE FOR ANY CLAIM,")
        #expect(String(decoding: plain.words, as: UTF8.self) == "IN NO EVENT SHALL THE AUTHORS BE LIABLE FOR ANY CLAIM,")
        #expect(Self.text("IN NO EVENT SHALL\n   THE AUTHORS BE LIABLE FOR ANY CLAIM,") == plain)
        #expect(Self.text("\n IN NO EVENT  SHALL THE AUTHORS\tBE LIABLE FOR ANY CLAIM,\n") == plain)
        // A character differs, or a space comes or goes inside a word: another text.
        #expect(Self.text("IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR ANY CLAIM,") != plain)
        #expect(Self.text("IN NO EVENT SHALL THE AUTHORS BE LIABLE FOR ANY CLAIM.") != plain)
        #expect(Self.text("IN NO EVENT SHALL THE AUTH ORS BE LIABLE FOR ANY CLAIM,") != plain)
        #expect(Self.text("in no event shall the authors be liable for any claim,") != plain)
    }

    @Test func wordsStandInAnotherTextOnlyWhole() {
        let long = Self.text("ARISING OUT OF OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THE DATA")
        #expect(long.holds(Self.text("ARISING OUT OF OR IN\n CONNECTION WITH THE USE")))
        #expect(long.holds(Self.text("USE OR PERFORMANCE")))
        #expect(long.holds(long))
        #expect(!long.holds(Self.text("WITH THE US")))  // cut inside a word
        #expect(!long.holds(Self.text("SE OR PERFORMANCE")))
        #expect(!long.holds(Self.text("CONNECTION WITH THE USE OR PERFORMANCE OF THE DATA FILES")))
        #expect(!Self.text("The special magic number is: 123.").holds(Self.text("The special magic number is: 12")))
        #expect(Self.text("Copyright 2003-2010 Foo").holds(Self.text("Copyright 2003")))
        // A text of one repeated word is compared at a bounded number of places.
        let zeros = AnswerText(words: Array(String(repeating: "0 ", count: 2_000).utf8) + Array("1".utf8))
        #expect(!zeros.holds(AnswerText(words: Array(String(repeating: "0 ", count: 100).utf8) + Array("1".utf8))))
        #expect(zeros.holds(AnswerText(words: Array(String(repeating: "0 ", count: 1_990).utf8) + Array("1".utf8))))
    }

    @Test func withoutATokenizerTheIdsAreTheText() {
        let bare = TokenShapes(tokenizer: nil, vocabularySize: 100)
        let a: [UInt32] = [1, 2, 3], b: [UInt32] = [1, 2, 4]
        #expect(a.withUnsafeBufferPointer { bare.answerText($0) } == a.withUnsafeBufferPointer { bare.answerText($0) })
        #expect(a.withUnsafeBufferPointer { bare.answerText($0) } != b.withUnsafeBufferPointer { bare.answerText($0) })
        // Ids hold only the same ids: the bytes of [0x100, 0] hold those of [1] a byte in,
        // inside an id.
        let shifted = [UInt32(0x100), 0].withUnsafeBufferPointer { bare.answerText($0) }
        #expect(shifted.holds(shifted))
        #expect(!shifted.holds([UInt32(1)].withUnsafeBufferPointer { bare.answerText($0) }))
    }

    @Test func copiesOfOnePassageLeaveRoomForTheNextAnswer() {
        // The notice six times, indented and wrapped two ways, then the line that holds three
        // of the question's words: with copies kept, the notice's copies took all five answers.
        let notice = "IN NO EVENT SHALL GROUPE BULL BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY."
        let wrapped = "IN NO EVENT SHALL GROUPE BULL BE LIABLE FOR ANY\n   CLAIM, DAMAGES OR OTHER LIABILITY."
        var text = ""
        for k in 0..<6 { text += (k % 2 == 0 ? notice : wrapped) + "\n\nSee the file for details.\n\n" }
        text += "Portions of it have been taken from a BSD variant and are licensed as such.\n"
        let answers = PassageScorerTests.answers("variant taken GROUPE been CLAIM", in: text, top: 5)
        #expect(answers.filter { $0.text.contains("GROUPE BULL") }.count == 1)
        #expect(answers.contains { $0.text.contains("BSD variant") })
    }

    static func passage(_ start: UInt64, _ score: Float, _ words: String) -> Passage {
        var p = Passage(start: start, tokens: [1, 2, 3], score: score, matchedTokens: 1, matchedOffsets: [0], source: .corpus)
        p.text = AnswerText(words: Array(words.utf8))
        return p
    }

    @Test func theCopyKeptIsTheSameWhateverTheOrder() {
        let offers = [Self.passage(900, 0.8, "a notice"), Self.passage(100, 0.8, "a notice"),
                      Self.passage(500, 0.85, "a notice, wrapped and cut"), Self.passage(50, 0.8, "notice"),
                      Self.passage(300, 0.5, "another line"), Self.passage(700, 0.4, "a third line"),
                      Self.passage(800, 0.3, "a third")]
        var forward = AnswerCollector(top: 3), backward = AnswerCollector(top: 3)
        for p in offers { forward.offer(p) }
        for p in offers.reversed() { backward.offer(p) }
        #expect(forward.answers == backward.answers)
        // The copy that holds the others and scores better, then the other texts ("a third"
        // stands in "a third line").
        #expect(forward.answers.map(\.start) == [500, 300, 700])
        // The `top`-th answer, which the reading must beat, is the third text's.
        #expect(forward.threshold == 0.4)
    }

    @Test func aCopyCutLaterScoringTheSameIsNoOtherAnswer() {
        // The same sentence elsewhere, cut a few words later: the same score, so the words it
        // adds hold nothing asked; a copy of the same words is one too.
        var answers = AnswerCollector(top: 3)
        for p in [Self.passage(1_000, 0.5, "another line and more"), Self.passage(300, 0.5, "another line"),
                  Self.passage(4_000, 0.5, "another line")] { answers.offer(p) }
        #expect(answers.answers.map(\.start) == [300])
        answers.offer(Self.passage(5_000, 0.45, "another"))
        #expect(answers.answers.map(\.start) == [300])
        #expect(answers.threshold == nil)  // fewer answers than asked: the reading goes on
        // A better passage holding one kept replaces it; a shorter one scoring better stays.
        answers.offer(Self.passage(2_000, 0.9, "so another line, and more"))
        answers.offer(Self.passage(3_000, 0.95, "line"))
        #expect(answers.answers.map(\.start) == [3_000, 2_000, 1_000])
    }
}
