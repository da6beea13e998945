/// Where a passage begins and ends: the anchor's sentence or line, joined with the sentences
/// of its paragraph that carry the question on, within the reach (`PassageScorer`).
extension PassageScorer {
    /// The passage around the anchor at `a`: its sentence, joined with the sentences beside
    /// it that carry its phrase on and those of its line adding a keyword, within the reach.
    func extent(around a: Int, in buffer: UnsafeBufferPointer<UInt32>) -> Range<Int> {
        let n = buffer.count
        let lowest = max(0, a - reach), highest = min(n, a + reach + 1)
        var (start, cutStart) = sentenceStart(before: a, lowest: max(lowest, a - Self.sentenceBack), in: buffer)
        var (end, cutEnd) = sentenceEnd(from: a, highest: min(highest, a + Self.sentenceForward + 1), in: buffer)
        // Sentences that carry a phrase on join while they do, and so do the sentences of the
        // line that add a keyword, with those between, while the reach allows: a dictionary's
        // line splits into sentences at "n." and "pl.", and its headword, plural and gloss are
        // one answer.
        while !cutEnd && end < highest && !shapes.endsParagraph(buffer[end - 1]) {
            let (next, cut) = sentenceEnd(from: end, highest: highest, in: buffer)
            if continuesPhrase(start..<end, end..<next, in: buffer) {
                (end, cutEnd) = (next, cut)
            } else if let far = sentenceAddingTerm(to: start..<end, forward: true, lowest: lowest, highest: highest, in: buffer) {
                (end, cutEnd) = far
            } else {
                break
            }
        }
        while !cutStart && start > lowest && !shapes.endsParagraph(buffer[start - 1]) {
            let (previous, cut) = sentenceStart(before: start - 1, lowest: lowest, in: buffer)
            if continuesPhrase(start..<end, previous..<start, in: buffer) {
                (start, cutStart) = (previous, cut)
            } else if let far = sentenceAddingTerm(to: start..<end, forward: false, lowest: lowest, highest: highest, in: buffer) {
                (start, cutStart) = far
            } else {
                break
            }
        }
        if cutStart {
            // Begin at the first word start, so the passage never opens inside a word.
            while start < a && !shapes.startsWord(buffer[start]) { start += 1 }
        }
        while start < a && shapes.isBlank(buffer[start]) { start += 1 }
        if cutEnd {
            // End before the last word start, so the last word is complete.
            var e = end
            while e > a + 1 && !shapes.startsWord(buffer[e]) { e -= 1 }
            if e > a + 1 { end = e }
        }
        return start..<end
    }

    /// Where the sentence holding the token before `i` starts, no earlier than `lowest`, and
    /// whether `lowest` cut it (it starts before, and `lowest` is not the buffer's start).
    private func sentenceStart(before i: Int, lowest: Int, in buffer: UnsafeBufferPointer<UInt32>) -> (Int, cut: Bool) {
        var j = i - 1
        while j >= lowest {
            if shapes.endsPassage(buffer[j], previous: j > 0 ? buffer[j - 1] : nil, next: buffer[j + 1]) { return (j + 1, false) }
            j -= 1
        }
        return (lowest, lowest > 0)
    }

    /// Where the sentence holding the token at `i` ends, no later than `highest`, and whether
    /// `highest` cut it (it goes on, and `highest` is not the buffer's end).
    private func sentenceEnd(from i: Int, highest: Int, in buffer: UnsafeBufferPointer<UInt32>) -> (Int, cut: Bool) {
        let n = buffer.count
        for j in i..<highest where shapes.endsPassage(buffer[j], previous: j > 0 ? buffer[j - 1] : nil, next: j + 1 < n ? buffer[j + 1] : nil) {
            return (j + 1, false)
        }
        return (highest, highest < n)
    }

    /// Whether the sentence `next`, just before or after the passage `passage`, carries the
    /// question's phrase on across the sentence end between them: three question tokens in a
    /// row, as the question has them, with the end among them (a quote of "...to arch. 2. ..."
    /// is one answer).
    private func continuesPhrase(_ passage: Range<Int>, _ next: Range<Int>, in buffer: UnsafeBufferPointer<UInt32>) -> Bool {
        guard !next.isEmpty, !passage.isEmpty else { return false }
        let after = next.lowerBound >= passage.upperBound
        let (before, behind) = after ? (passage, next) : (next, passage)
        // The last token before the sentence end and the first word after it.
        var first = before.upperBound - 1, second = behind.lowerBound
        while second < behind.upperBound && shapes.isBlank(buffer[second]) { second += 1 }
        while first > before.lowerBound && shapes.isBlank(buffer[first]) { first -= 1 }
        return second < behind.upperBound && isQuestionPair(first, second, in: buffer)
            && ((first > before.lowerBound && isQuestionPair(first - 1, first, in: buffer))
                || (second + 1 < behind.upperBound && isQuestionPair(second, second + 1, in: buffer)))
    }

    /// Where the passage reaches (`forward`: its new end, else its new start, and whether the
    /// reach cut there) to take in the nearest sentence on its line, within the reach, that
    /// holds one of the question's keywords (`QuestionTerms.keywords`) the passage lacks:
    /// keywords spread over the sentences of one line. Nil when none does.
    /// Lines stay apart: each line of a list of lookalike keys is an answer of its own, and a
    /// question whose terms all stand in one sentence still gets that sentence alone.
    private func sentenceAddingTerm(to passage: Range<Int>, forward: Bool, lowest: Int, highest: Int,
                                    in buffer: UnsafeBufferPointer<UInt32>) -> (Int, cut: Bool)? {
        var held: [Bool]?  // the passage's slots, read once a sentence holds an anchor
        var edge = forward ? passage.upperBound : passage.lowerBound
        while forward ? edge < highest : edge > lowest {
            // The sentences meet at `edge`: never across a line break or a paragraph's end.
            guard !shapes.breaksLine(buffer[edge - 1]), !shapes.endsParagraph(buffer[edge - 1]) else { return nil }
            let (far, cut) = forward ? sentenceEnd(from: edge, highest: highest, in: buffer)
                                     : sentenceStart(before: edge - 1, lowest: lowest, in: buffer)
            if addsTerm(forward ? edge..<far : far..<edge, to: passage, held: &held, in: buffer) { return (far, cut) }
            if cut { return nil }
            edge = far
        }
        return nil
    }

    /// Whether `sentence` holds one of the question's keywords that `passage` lacks.
    /// `held` keeps the passage's slots across the sentences tried for it: it was read again
    /// for every anchor of every sentence, and a passage now tries sentence after sentence.
    private func addsTerm(_ sentence: Range<Int>, to passage: Range<Int>, held: inout [Bool]?,
                          in buffer: UnsafeBufferPointer<UInt32>) -> Bool {
        for i in sentence {
            let s = slot(at: i, in: buffer)
            guard s >= 0, question.keywords[s] else { continue }
            if held == nil {
                var slots = [Bool](repeating: false, count: question.count)
                for j in passage { let t = slot(at: j, in: buffer); if t >= 0 { slots[t] = true } }
                held = slots
            }
            if !held![s] { return true }
        }
        return false
    }

    /// Whether the tokens at `i` and `j` stand as one of the question's adjacent pairs.
    @inline(__always) private func isQuestionPair(_ i: Int, _ j: Int, in buffer: UnsafeBufferPointer<UInt32>) -> Bool {
        let a = slot(at: i, in: buffer), b = slot(at: j, in: buffer)
        return a >= 0 && b >= 0 && pairIndex[a << 20 | b] != nil
    }
}
