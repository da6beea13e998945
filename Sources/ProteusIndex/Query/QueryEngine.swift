/// One answer: a passage with everything a user or a program needs about it.
public struct SpanAnswer {
    public var rank: Int
    public var score: Float
    public var document: Int
    public var documentName: String
    /// Absolute token positions, `end` exclusive.
    public var start: UInt64
    public var end: UInt64
    /// Offset of `start` inside its document.
    public var documentOffset: UInt64
    public var tokenIDs: [UInt32]
    /// Distinct question tokens found in the passage.
    public var matchedTokens: Int
    /// Offsets into `tokenIDs` of the tokens that match the question (to mark them).
    public var matchedOffsets: [Int]
    /// Where the text comes from: the corpus, or a hero span of the index.
    public var source: Passage.Source
    /// Decoded text, when a tokenizer is available.
    public var text: String?
    /// Byte ranges of `text` (its UTF-8) that hold the matched tokens, merged where adjacent.
    public var matchedByteRanges: [Range<Int>] = []
    /// Line (1-based) and column (1-based, characters) of `start` in its document, when the
    /// corpus and the routing tier's line counts are at hand.
    public var line: Int?
    public var column: Int?
    /// Share of the question's weight the passage holds (its score without pair bonuses).
    public var coverage: Float = 0
}

/// The answers to one question, and how they were found.
public struct QueryAnswer {
    public var question: String
    public var questionTokens: [UInt32]
    public var results: [SpanAnswer]
    public var mode: AnswerMode
    public var windowsRead: Int
    public var candidateWindows: Int
    /// The window limit stopped the reading (a better passage may lie in an unread window).
    public var stoppedAtLimit: Bool
    /// Why this question was answered from the heroes alone, when it was the question's doing;
    /// or that routing stopped at its search limit without finding the question's text.
    public var note: String?
    /// Time to tokenize, route, read, score and decode (the index and corpus already open).
    public var seconds: Double = 0
}

/// An open index ready to answer questions: the mapped `.phb`, its tokenizer (embedded, or
/// given and checked against the recorded hash) and its heroes. Opening does O(1) work in
/// the number of heroes.
public final class QueryEngine {
    public let index: HeroIndex
    /// The index's tokenizer (given or embedded), nil without one; set when the opening is
    /// finished (`finishOpening`).
    public private(set) var tokenizer: Tokenizer?
    public let heroes: HeroView
    public let documents: IndexDocuments
    private let spans: HeroSpans
    /// The embedded tokenizer being built on another thread, until `finishOpening`.
    private var embedded: BackgroundResult<Tokenizer>?

    /// Opens `path`. `tokenizer` overrides the embedded one and must have the same SHA-256
    /// as the tokenizer the corpus was built with. `questions`, when known before any is
    /// asked, lets the embedded tokenizer hash only the ranks they can look up (a sixth of a
    /// one-question process was that table); another question builds the whole table.
    public convenience init(path: String, tokenizer explicit: Tokenizer? = nil, questions: [String] = []) throws {
        try self.init(opening: path, tokenizer: explicit, questions: questions)
        try finishOpening()
    }

    /// Opens `path` as `init(path:tokenizer:questions:)` does, but the embedded tokenizer is
    /// built on another thread until `finishOpening()`: a query process opens its corpus
    /// meanwhile (the tokenizer was a tenth of a routed question's process, alone on one core).
    init(opening path: String, tokenizer explicit: Tokenizer?, questions: [String]) throws {
        let index = try HeroIndex(path: path)
        self.index = index
        if let explicit {
            try TokenizerChoice.check(explicit.identity, against: index.tokenizer, recordedIn: path)
            tokenizer = explicit
        } else if !index.embeddedRanks.isEmpty, let identity = index.tokenizer {
            let frame = index.embeddedRanks, at = index.entry(.tokenizerRanks).offset
            let recorded = index.splitPattern.flatMap { SplitPattern(rawValue: $0) }
            embedded = BackgroundResult {
                try Self.embeddedTokenizer(frame, identity: identity, recorded: recorded, focus: Self.focusTexts(of: questions), keeping: index) {
                    ProteusError(.dataError, path: path, "section 'TOKR' at byte \(at): \($0)")
                }
            }
        }
        do {
            spans = try index.spans()
            documents = try index.documents()
            let dna = try index.dna()
            let spanView = spans
            heroes = HeroView(spanCount: spans.count, span: { spanView[$0] }, tokens: index.tokens, scores: index.scores,
                              vocabularySize: dna.vocabularySize, surprisal: { dna.surprisal(of: $0) })
        } catch {
            _ = try embedded?.value() // the tokenizer's error first, as when it was built first
            throw error
        }
    }

    /// Waits for the embedded tokenizer and throws what went wrong building it (once; then
    /// nothing more to wait for).
    func finishOpening() throws {
        guard let pending = embedded else { return }
        embedded = nil
        tokenizer = try pending.value()
    }

    /// The tokenizer embedded in `frame` (section TOKR, which `fail` names) focused on the
    /// texts `focus`; `keeping` is the index whose mapped memory `frame` is (a mapped table
    /// is used in place).
    private static func embeddedTokenizer(_ frame: UnsafeRawBufferPointer, identity: TokenizerIdentity, recorded: SplitPattern?,
                                          focus: [String], keeping index: HeroIndex,
                                          fail: (String) -> ProteusError) throws -> Tokenizer {
        func pattern(rankCount: Int) -> SplitPattern {
            recorded ?? SplitPattern.inferred(rankCount: rankCount) ?? .cl100k
        }
        let ranks = try EmbeddedRanks.decode(frame, owner: index, focus: .init(texts: focus, pattern: pattern), fail: fail)
        // Encoding traps without every single-byte token; a corrupt or crafted index must
        // be refused here as `Tokenizer.load` refuses such a rank file.
        if let byte = ranks.firstByteWithoutToken() {
            throw fail("the embedded tokenizer has no token for the single byte 0x\(String(format2: byte))")
        }
        return Tokenizer(ranks: ranks, pattern: pattern(rankCount: ranks.count), identity: identity)
    }

    /// Tokens of `question` with the index's tokenizer; refuses an empty question and one
    /// of which the index knows no token. A question that opens with a word is read as if a
    /// space came before it: its first word then has the pieces it has inside a sentence,
    /// where text holds most words ("scrubbing" alone is "scr" "ub" "bing", after a space
    /// " scrub" "bing"). A first word of one token still matches a line's first word, as
    /// every question term matches its spellings with and without the space.
    public func tokenize(_ question: String) throws -> [UInt32] {
        guard !question.allSatisfy({ $0.isWhitespace }) else {
            throw ProteusError(.usage, "the question is empty")
        }
        guard let tokenizer else {
            throw ProteusError(.usage, path: index.path,
                               "this index embeds no tokenizer: pass --tokenizer FILE.tiktoken or the question as --query-ids")
        }
        return tokenizer.encodeOrdinary(Self.encodedText(question))
    }

    /// What the embedded tokenizer is focused on for `questions`: each as `tokenize` encodes
    /// it, and the texts of its words' other forms (`TokenShapes.formTexts(ofQuestion:)`).
    static func focusTexts(of questions: [String]) -> [String] {
        questions.flatMap { [encodedText($0)] + TokenShapes.formTexts(ofQuestion: $0) }
    }

    /// The text `tokenize` encodes for `question`.
    static func encodedText(_ question: String) -> String {
        let opensWithAWord = question.first.map { $0.isLetter || $0.isNumber } ?? false
        return opensWithAWord ? " " + question : question
    }

    /// Total tokens of the indexed corpus (where a question is "teleported" to).
    public var corpusTokens: UInt64 { index.statistics.tokens }

    /// The answers of `result` with document names, offsets and decoded text.
    public func describe(_ result: TeleportResult, question: String, tokens: [UInt32]) throws -> QueryAnswer {
        var results: [SpanAnswer] = []
        for (i, p) in result.passages.enumerated() {
            let doc = documents.document(containing: p.start) ?? 0
            var text: String?
            var marks: [Range<Int>] = []
            if let tokenizer {
                var bytes: [UInt8] = []
                var matched = Set(p.matchedOffsets)
                for (k, id) in p.tokens.enumerated() {
                    let from = bytes.count
                    bytes += try [id].withUnsafeBufferPointer { try tokenizer.decode($0) }
                    guard matched.remove(k) != nil else { continue }
                    if let last = marks.last, last.upperBound == from { marks[marks.count - 1] = last.lowerBound..<bytes.count }
                    else { marks.append(from..<bytes.count) }
                }
                text = String(decoding: bytes, as: UTF8.self)
            }
            let docStart = doc < documents.count ? documents.starts[doc] : 0
            results.append(SpanAnswer(rank: i + 1, score: p.score, document: doc,
                                      documentName: doc < documents.count ? documents.name(doc) : "",
                                      start: p.start, end: p.end, documentOffset: p.start - min(docStart, p.start),
                                      tokenIDs: p.tokens, matchedTokens: p.matchedTokens,
                                      matchedOffsets: p.matchedOffsets, source: p.source, text: text,
                                      matchedByteRanges: marks, coverage: p.coverage))
        }
        return QueryAnswer(question: question, questionTokens: tokens, results: results, mode: result.mode,
                           windowsRead: result.windowsRead, candidateWindows: result.candidateWindows,
                           stoppedAtLimit: result.stoppedAtLimit, note: result.note)
    }
}
