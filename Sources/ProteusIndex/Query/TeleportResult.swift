/// How a question was answered.
public enum AnswerMode: String, Sendable {
    /// Routed to the corpus windows that hold its rare tokens, merged with the heroes.
    case teleport
    /// From the heroes alone (no corpus, `--index-only`, or nothing to route by).
    case heroes
    /// Every window of the corpus read (`--rescan`), merged with the heroes.
    case rescan
}

/// What answering one question found, and what it cost.
public struct TeleportResult {
    public var passages: [Passage]
    public var mode: AnswerMode
    /// Corpus windows read, and windows the routing tier proposed.
    public var windowsRead = 0
    public var candidateWindows = 0
    /// True when the window cap (`maxWindows`, or its extension while no answer held most of
    /// the question) stopped the reading before the bounds did (answers may then miss a
    /// better passage in an unread window).
    public var stoppedAtLimit = false
    /// Windows like the best answer (its terms, scoring `anotherValueShare` of it) put first
    /// from the cap on, and the score they were looked for at (nil: not looked for).
    public var likeWindows: (count: Int, forScore: Float)?
    /// Why the answer came from the heroes alone, when it did for a reason of the question's;
    /// or that routing read up to its search limit without finding the question's text.
    public var note: String?
    /// The question's terms as the exact pass weighed them (for `--explain`).
    public var terms: [TermReport] = []
    /// Bounds of the windows read, in reading order, and the score the answers had to beat
    /// when reading stopped (nil while fewer than `top` answers were found).
    public var boundsRead: [Float] = []
    public var finalThreshold: Float?
}

/// One question term, for `--explain`.
public struct TermReport {
    public var ids: [UInt32]
    public var weight: Float
    public var anchor: Bool
    /// Part of the question's frame, which an answer need not hold (`QuestionTerms.framed`).
    public var frame = false
    /// Windows that hold one of its spellings (nil: no list, in most windows).
    public var windows: Int?
    /// The line-start forms that stand for it (`QuestionTerms.lineStartForms`), as ids, and
    /// the forms glued to a character before it (".adjust" "ed").
    public var lineStartForms: [[UInt32]] = []
    public var gluedForms: [[UInt32]] = []
    /// Its inflected forms (`QuestionTerms.inflectedSlots`) with what each earns.
    public var inflections: [(id: UInt32, credit: Float)] = []
    /// The inflected forms of its word of several tokens (`QuestionTerms.formIsInflected`).
    public var inflectedForms: [[UInt32]] = []
    /// The documents whose file names hold its word (`DocumentNames`): how many, and the
    /// first few names.
    public var namingDocuments = 0
    public var namingExamples: [String] = []
}
