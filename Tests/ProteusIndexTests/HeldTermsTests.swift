import Testing
@testable import ProteusIndex

/// The skip bound of the exact pass (`HeldTerms`, `PassageScorer.heldBound`): what the terms
/// within an anchor's reach can score bounds every passage around it, the range sliding with
/// the anchors counts what a fresh count of it would, and skipping changes no answer.
@Suite struct HeldTermsTests {
    static let tokenizer = TokenizerFixtures.cl100k

    /// Prose that says its common words again and again, with lookalike keys whose pairs
    /// decide between them, a line-start form of a word, and an inflected one.
    static let text: String = {
        var lines: [String] = []
        let keys = ["sable-lagoon-dusk", "amber-lagoon-prime", "sable-lagoon-prime", "prime-sable-lagoon"]
        for i in 0..<60 {
            lines.append("The special garden of the kernel is where the process of the garden is kept, and the kernel is the garden.")
            if i % 7 == 3 { lines.append("One of the special magic numbers for \(keys[i % keys.count]) is: \(1_000_000 + i).") }
            if i % 11 == 5 { lines.append("GARDEN numbers: the magic of gardens is special, and the processes send signals.") }
            if i % 13 == 8 { lines.append("When a process exceeds its limit, the kernel sends it a signal; the number is special.") }
        }
        return lines.joined(separator: "\n")
    }()

    static let questions = [
        "What is the special magic number for sable-lagoon-prime?",
        "Which signal does the kernel send when a process exceeds its limit?",
        "the garden of the kernel",
        "special magic gardens of the kernel",
    ]

    /// Each anchor's passage scored and offered, none skipped.
    static func everyPassage(_ scorer: PassageScorer, _ buffer: UnsafeBufferPointer<UInt32>, top: Int) -> AnswerCollector {
        var answers = AnswerCollector(top: top)
        for a in scorer.anchorPositions(buffer, in: 0..<buffer.count) {
            let range = scorer.extent(around: a, in: buffer)
            let s = scorer.score(buffer, range)
            var p = Passage(start: UInt64(range.lowerBound), tokens: Array(buffer[range]), score: s.score,
                            matchedTokens: s.matched, matchedOffsets: s.offsets, source: .corpus, coverage: s.coverage,
                            phraseCoverage: s.phraseCoverage, holdsAllButTheFrame: s.holdsAllButTheFrame,
                            scoreAsAsked: s.scoreAsAsked)
            p.text = scorer.shapes.answerText(UnsafeBufferPointer(rebasing: buffer[range]))
            answers.offer(p)
        }
        return answers
    }

    @Test func theBoundHoldsEveryPassageAroundAnAnchorAndSlidesAsAFreshCountWould() {
        let tokens = Self.tokenizer.encodeOrdinary(Self.text)
        var tight = 0
        for question in Self.questions {
            let scorer = PassageScorerTests.scorer(question, rare: true)
            tokens.withUnsafeBufferPointer { buffer in
                let terms = scorer.termPositions(buffer)
                #expect(terms.anchors == scorer.anchorPositions(buffer, in: 0..<buffer.count))
                #expect(terms.anchors.count > 20, "\(question): too few anchors to slide over")
                let codes = scorer.lookup.codeCount
                let sliding = UnsafeMutablePointer<Int32>.allocate(capacity: codes), fresh = UnsafeMutablePointer<Int32>.allocate(capacity: codes)
                defer { sliding.deallocate(); fresh.deallocate() }
                sliding.initialize(repeating: 0, count: codes)
                var held = HeldTerms(terms.terms, counts: sliding, table: scorer.heldTable)
                for a in terms.anchors {
                    let reach = max(0, a - scorer.reach)..<min(buffer.count, a + scorer.reach + 1)
                    held.cover(reach, table: scorer.heldTable)
                    fresh.initialize(repeating: 0, count: codes)
                    var once = HeldTerms(terms.terms, counts: fresh, table: scorer.heldTable)
                    once.cover(reach, table: scorer.heldTable)
                    #expect(abs(held.held - once.held) < 1e-6 && held.formOccurrences == once.formOccurrences,
                            "\(question): anchor \(a) slid to \(held.held), counted afresh \(once.held)")
                    let score = scorer.score(buffer, scorer.extent(around: a, in: buffer)).score
                    let bound = scorer.heldBound(held)
                    #expect(bound >= score, "\(question): anchor \(a) scores \(score) above its bound \(bound)")
                    if bound < score * 1.01 { tight += 1 }
                }
            }
        }
        // No looser than it must be: where a passage holds all its reach does, it is the score.
        #expect(tight > 0, "the bound never met a passage's score")
    }

    @Test func skippingChangesNoAnswer() {
        let tokens = Self.tokenizer.encodeOrdinary(Self.text)
        for question in Self.questions {
            for top in [1, 3, 5] {
                let scorer = PassageScorerTests.scorer(question, rare: true)
                var skipping = AnswerCollector(top: top)
                tokens.withUnsafeBufferPointer { buffer in
                    scorer.scan(buffer, base: 0, anchorsIn: 0..<buffer.count, source: .corpus,
                                document: { _ in (0..<UInt64(buffer.count), nil) }, into: &skipping)
                    let all = Self.everyPassage(scorer, buffer, top: top)
                    #expect(skipping.answers.map(\.orderKey.start) == all.answers.map(\.orderKey.start), "\(question), top \(top)")
                    #expect(skipping.answers.map(\.score) == all.answers.map(\.score), "\(question), top \(top)")
                    #expect(skipping.answers.map(\.end) == all.answers.map(\.end), "\(question), top \(top)")
                }
            }
        }
    }
}
