/// The exact pass over a run of tokens: the passage around each anchor, found and scored
/// unless what its reach holds cannot beat the answers kept (`PassageScorer`).
extension PassageScorer {
    /// The document holding an absolute position: its absolute range and its number (nil
    /// where none is known, as for a position past the corpus).
    typealias DocumentAt = (UInt64) -> (range: Range<UInt64>, id: Int?)

    /// Scores the passage around every anchor in `anchorRange` of `buffer`, whose first
    /// token sits at absolute position `base`, into `answers`. `document` gives the document
    /// holding a position: passages never cross documents, and its name may hold words of the
    /// question (`names`).
    func scan(_ buffer: UnsafeBufferPointer<UInt32>, base: UInt64, anchorsIn anchorRange: Range<Int>,
              source: Passage.Source, document: DocumentAt, into answers: inout AnswerCollector) {
        scan(buffer, base: base, anchors: anchorPositions(buffer, in: anchorRange), source: source,
             document: document, into: &answers)
    }

    /// The same for anchors already found (`anchors`: increasing positions in `buffer`).
    /// An anchor is skipped without finding its passage when what the question's terms within
    /// its reach can score (`heldBound`: each term once, and only the pairs whose both terms
    /// are there) cannot beat the last answer (`AnswerCollector.lastAnswerScore`, not the floor:
    /// the answers below it are still the best of what was read): with common anchors that is
    /// most of them, and it changes no answer. (Counting the terms with repeats, their pairs at
    /// most doubling them, let through most paragraphs for "Which signal does the kernel send
    /// when a process exceeds its CPU time limit?", which hold ten of its words.)
    /// `terms`, when given, are `buffer`'s (`termPositions`), else they are found here once
    /// skipping is possible.
    func scan(_ buffer: UnsafeBufferPointer<UInt32>, base: UInt64, anchors: [Int], terms: [(position: Int, code: UInt16)]? = nil,
              source: Passage.Source, document: DocumentAt, into answers: inout AnswerCollector) {
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: lookup.codeCount) { counts in
            counts.initialize(repeating: 0)
            var held = terms.map { HeldTerms($0, counts: counts.baseAddress!, table: heldTable) }
            scan(buffer, base: base, anchors: anchors, source: source, document: document, held: &held,
                 counts: counts.baseAddress!, into: &answers)
        }
    }

    private func scan(_ buffer: UnsafeBufferPointer<UInt32>, base: UInt64, anchors: [Int], source: Passage.Source,
                      document: DocumentAt, held: inout HeldTerms?, counts: UnsafeMutablePointer<Int32>,
                      into answers: inout AnswerCollector) {
        var last: Range<Int>?
        var documentRange: Range<Int> = 0..<0
        // The slots the anchor's document holds by its name, and the most they add to a score.
        var named: [Int] = [], namedBound: Float = 0
        for a in anchors {
            if !documentRange.contains(a) {
                let (d, id) = document(base + UInt64(a))
                let lo = d.lowerBound > base ? Int(d.lowerBound - base) : 0
                let hi = d.upperBound > base ? min(buffer.count, Int(d.upperBound - base)) : 0
                documentRange = lo..<max(lo, hi)
                named = names.slots(ofDocument: id)
                namedBound = named.isEmpty || question.totalWeight <= 0 ? 0
                    : named.reduce(0) { $0 + Self.otherWordShare * question.weights[$1] } / question.totalWeight
            }
            if answers.lastAnswerScore > 0 {
                if held == nil { held = HeldTerms(termPositions(buffer).terms, counts: counts, table: heldTable) }
                held!.cover(max(0, a - reach)..<min(buffer.count, a + reach + 1), table: heldTable)
                if heldBound(held!) + namedBound < answers.lastAnswerScore { continue }
            }
            let inDocument = UnsafeBufferPointer(rebasing: buffer[documentRange])
            let local = extent(around: a - documentRange.lowerBound, in: inDocument)
            let range = (local.lowerBound + documentRange.lowerBound)..<(local.upperBound + documentRange.lowerBound)
            if range == last { continue }
            last = range
            let scored = self.score(buffer, range, named: named)
            let start = base + UInt64(range.lowerBound)
            guard answers.wouldKeep((scored.score, scored.questionRun, source, start, start + UInt64(range.count)),
                                    matchedTokens: scored.matched) else { continue }
            var passage = Passage(start: start, tokens: Array(buffer[range]), score: scored.score,
                                  matchedTokens: scored.matched, matchedOffsets: scored.offsets, source: source, coverage: scored.coverage,
                                  phraseCoverage: scored.phraseCoverage, holdsAllButTheFrame: scored.holdsAllButTheFrame,
                                  scoreAsAsked: scored.scoreAsAsked, questionRun: scored.questionRun)
            passage.text = shapes.answerText(UnsafeBufferPointer(rebasing: buffer[range]))
            answers.offer(passage)
        }
    }
}
