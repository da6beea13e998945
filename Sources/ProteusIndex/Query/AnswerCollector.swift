/// One answer of the exact pass: a passage of the corpus (or of a hero span) with its
/// exact positions and how well it answers the question.
public struct Passage: Equatable {
    /// Where the passage's text comes from.
    public enum Source: String, Equatable {
        /// Read from the corpus (a routed window or a rescan).
        case corpus
        /// A hero span of the index, answered with no corpus.
        case heroes
    }

    /// Absolute position of the first token.
    public var start: UInt64
    public var tokens: [UInt32]
    public var score: Float
    /// Distinct question tokens in the passage.
    public var matchedTokens: Int
    /// Offsets into `tokens` of the tokens that match the question.
    public var matchedOffsets: [Int]
    public var source: Source
    /// Share of the question's weight among the passage's tokens, without the bonus of
    /// its adjacent pairs: how much of the question it holds.
    public var coverage: Float = 0
    /// Share of the bonus of the question's phrase pairs (`QuestionTerms.pairInPhrase`) the
    /// passage holds: 1 for a question with none.
    public var phraseCoverage: Float = 1
    /// Whether the question has a frame (`QuestionTerms.framed`) and the passage holds
    /// every slot but the frame's.
    public var holdsAllButTheFrame = false
    /// The score without what the question's keywords earn in other forms
    /// (`QuestionTerms.inflectedSlots`): whether the question's own text is found is told by it.
    public var scoreAsAsked: Float
    /// The most tokens in a row the question has in a row (`PassageScorer.Scored`): of two
    /// passages scoring the same, the one holding more of the question as asked comes first.
    public var questionRun: Int
    /// Its words (`TokenShapes.answerText`): a passage whose words stand in a better
    /// answer's is no answer. Nil: told apart by position only.
    var text: AnswerText?

    public init(start: UInt64, tokens: [UInt32], score: Float, matchedTokens: Int, matchedOffsets: [Int], source: Source,
                coverage: Float = 0, phraseCoverage: Float = 1, holdsAllButTheFrame: Bool = false, scoreAsAsked: Float? = nil,
                questionRun: Int = 0) {
        self.start = start
        self.tokens = tokens
        self.score = score
        self.matchedTokens = matchedTokens
        self.matchedOffsets = matchedOffsets
        self.source = source
        self.coverage = coverage
        self.phraseCoverage = phraseCoverage
        self.holdsAllButTheFrame = holdsAllButTheFrame
        self.scoreAsAsked = scoreAsAsked ?? score
        self.questionRun = questionRun
    }

    /// One past the last position.
    public var end: UInt64 { start + UInt64(tokens.count) }

    func overlaps(_ other: Passage) -> Bool { start < other.end && other.start < end }

    /// Answer order: score descending (as `RankOrder`), then the longer run of the question
    /// as asked (`questionRun`), then the corpus before the heroes (a hero span that scores as
    /// well as the corpus text around it is that text cut at the span's edges), then position,
    /// then the shorter passage.
    static func before(_ a: Passage, _ b: Passage) -> Bool { before(a.orderKey, b.orderKey) }

    /// What answer order reads of a passage, known before its tokens are copied.
    typealias OrderKey = (score: Float, questionRun: Int, source: Source, start: UInt64, end: UInt64)
    var orderKey: OrderKey { (score, questionRun, source, start, end) }

    static func before(_ a: OrderKey, _ b: OrderKey) -> Bool {
        if a.score != b.score { return a.score > b.score }
        if a.questionRun != b.questionRun { return a.questionRun > b.questionRun }
        if a.source != b.source { return a.source == .corpus }
        if a.start != b.start { return a.start < b.start }
        return a.end < b.end
    }
}

/// The best passages seen so far, in a bounded list ordered by `Passage.before`.
///
/// Passages around different anchors of one long sentence can overlap; the answers are the
/// best passages that do not overlap a better one, chosen in answer order, so the result
/// does not depend on the order in which windows were read. A passage whose words stand in a
/// better one's (`AnswerText`: a copy of a repeated licence, cut or wrapped otherwise) is not
/// kept, so copies of one answer do not push a different one out of the `top`.
struct AnswerCollector {
    let top: Int
    /// Passages scoring less than this share of the best are not worth looking for.
    let floor: Float
    /// Passages kept (room for overlaps).
    let capacity: Int
    private(set) var kept: [Passage] = []
    /// What a passage must score to matter: the `top`-th answer's score once there are
    /// `top` answers, and at least `floor` × the best score; 0 while anything counts.
    private(set) var cutoff: Float = 0
    /// What a passage must score to be among the answers of what has been read: the `top`-th
    /// answer's score once there are `top` answers, else 0 (the floor aside, so that answers
    /// below it are still the best of the windows read).
    private(set) var lastAnswerScore: Float = 0

    init(top: Int, floor: Float = 0) {
        self.top = top
        self.floor = floor
        capacity = 4 * top + 32
    }

    mutating func offer(_ p: Passage) {
        guard wouldKeep(p.orderKey, matchedTokens: p.matchedTokens) else { return }
        if p.text != nil {
            // A passage holding its words scores as well, or it holds the words of passages
            // that score no better (none when the same range is held: it has the same words).
            if kept.contains(where: { Self.repeats(p, in: $0) }) { return }
            kept.removeAll { Self.repeats($0, in: p) }
        }
        var i = kept.count
        while i > 0 && Passage.before(p, kept[i - 1]) { i -= 1 }
        if i > 0 && kept[i - 1].start == p.start && kept[i - 1].end == p.end { return }  // already held, better or equal
        if i < kept.count && kept[i].start == p.start && kept[i].end == p.end { kept.remove(at: i) }
        kept.insert(p, at: i)
        if kept.count > capacity { kept.removeLast() }
        lastAnswerScore = threshold ?? 0
        cutoff = max(lastAnswerScore, floor * (best ?? 0))
    }

    /// Whether `p` adds nothing to `q`: `q` holds its words and scores better, or has the same
    /// words and comes first in answer order. (A longer passage scoring the same, say the
    /// sentence and the one after it, does not replace the sentence alone.) The relation
    /// chains (what holds a passage's holder holds the passage, and scores as well), so the
    /// passages kept are those no other repeats, in whatever order they come.
    static func repeats(_ p: Passage, in q: Passage) -> Bool {
        guard let pText = p.text, let qText = q.text, q.score >= p.score else { return false }
        if q.score > p.score { return qText.holds(pText) }
        return pText == qText && Passage.before(q, p)
    }

    /// Whether `offer` would keep a passage with this order key: the exact pass asks before
    /// copying a passage's tokens, which most passages it scores do not need.
    func wouldKeep(_ key: Passage.OrderKey, matchedTokens: Int) -> Bool {
        guard matchedTokens > 0 else { return false }
        guard kept.count == capacity, let last = kept.last else { return true }
        return Passage.before(key, last.orderKey)
    }

    /// The answers: the best `top` passages that overlap no better one.
    var answers: [Passage] {
        var chosen: [Passage] = []
        for p in kept where !chosen.contains(where: { $0.overlaps(p) || Self.copies(p, $0) }) {
            chosen.append(p)
            if chosen.count == top { break }
        }
        return chosen
    }

    /// Whether `p`, after the better answer `q`, is a copy of it cut elsewhere: its words
    /// stand in `q`'s, or `q`'s in its own and the words it adds score nothing (a disclaimer
    /// wrapped otherwise, whose sentence the reach cut a few words later).
    static func copies(_ p: Passage, _ q: Passage) -> Bool {
        guard let pText = p.text, let qText = q.text else { return false }
        return qText.holds(pText) || (p.score == q.score && pText.holds(qText))
    }

    /// How many answers read from the corpus score at least `score` and pass `test`.
    func corpusAnswers(scoringAtLeast score: Float, where test: (Passage) -> Bool = { _ in true }) -> Int {
        answers.prefix { $0.score >= score }.filter { $0.source == .corpus && test($0) }.count
    }

    /// Whether a passage scoring no more than `bound` and starting at or after `start` could
    /// still change the answers: it must beat the cutoff, or tie the `top`-th answer and come
    /// before it (ties go to the corpus, then to the earlier position). Scores within
    /// `tieTolerance` of each other count as tied: a window's bound and a passage's score sum
    /// the same weights in different orders, so a bound equal to the cutoff can exceed it by
    /// a rounding.
    func couldChange(bound: Float, startingAtOrAfter start: UInt64) -> Bool {
        if bound > cutoff * (1 + Self.tieTolerance) { return true }
        if bound < cutoff { return false }
        let a = answers
        guard a.count == top, a[top - 1].score >= cutoff else { return false }  // the floor, not an answer, sets it
        let last = a[top - 1]
        return last.source == .heroes || start <= last.start
    }

    static let tieTolerance: Float = 1e-6

    /// The best score so far.
    var best: Float? { kept.first?.score }
    /// The best passage (the first answer: nothing overlaps a better one).
    var bestPassage: Passage? { kept.first }

    /// The score a new passage must beat to change the answers: the `top`-th answer's, or
    /// nil while there are fewer answers than `top`.
    var threshold: Float? {
        let a = answers
        return a.count == top ? a[top - 1].score : nil
    }
}
