/// One answer: a ranked hero span with everything a user or a program needs about it.
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
    /// Distinct question tokens found in the span.
    public var matchedTokens: Int
    /// Decoded text, when a tokenizer is available.
    public var text: String?
}

/// The answers to one question.
public struct QueryAnswer {
    public var question: String
    public var questionTokens: [UInt32]
    public var results: [SpanAnswer]
    /// Ranked spans in FinalPass form, for the context pack.
    public var ranked: [RankedSpan]
}

extension QueryAnswer {
    /// Turns ranked spans into answers: ids, positions, document names and decoded text.
    init(question: String, tokens: [UInt32], ranked: [RankedSpan], heroes: HeroView,
         documentName: (Int) -> String, documentStart: (Int) -> UInt64, tokenizer: Tokenizer?) throws {
        var results: [SpanAnswer] = []
        for (i, r) in ranked.enumerated() {
            let span = r.span
            let first = Int(span.firstHero)
            let ids = Array(heroes.tokens[first..<first + Int(span.length)])
            let doc = Int(span.document)
            var text: String?
            if let tokenizer {
                text = String(decoding: try ids.withUnsafeBufferPointer { try tokenizer.decode($0) }, as: UTF8.self)
            }
            results.append(SpanAnswer(rank: i + 1, score: r.score, document: doc, documentName: documentName(doc),
                                      start: span.start, end: span.start + UInt64(span.length),
                                      documentOffset: span.start - documentStart(doc), tokenIDs: ids,
                                      matchedTokens: r.matchedTokens, text: text))
        }
        self.init(question: question, questionTokens: tokens, results: results, ranked: ranked)
    }
}

/// An open index ready to answer questions: the mapped `.phb`, its tokenizer (embedded, or
/// given and checked against the recorded hash) and the final pass. Opening does O(1) work
/// in the number of heroes; each question costs one pass over the hero tokens.
public final class QueryEngine {
    public let index: HeroIndex
    public let tokenizer: Tokenizer?
    public let heroes: HeroView
    public let documents: IndexDocuments
    public var finalPass = FinalPass()
    private let spans: HeroSpans

    /// Opens `path`. `tokenizer` overrides the embedded one and must have the same SHA-256
    /// as the tokenizer the corpus was built with.
    public init(path: String, tokenizer explicit: Tokenizer? = nil) throws {
        index = try HeroIndex(path: path)
        if let explicit {
            try TokenizerChoice.check(explicit.identity, against: index.tokenizer, recordedIn: path)
            tokenizer = explicit
        } else if !index.embeddedRanks.isEmpty, let identity = index.tokenizer {
            let ranks = try RankTable(serialized: index.embeddedRanks, owner: index, path: path)
            // Encoding traps without every single-byte token; a corrupt or crafted index must
            // be refused here as `Tokenizer.load` refuses such a rank file.
            if let byte = ranks.firstByteWithoutToken() {
                throw ProteusError(.dataError, path: path, "section 'TOKR' at byte \(index.entry(.tokenizerRanks).offset): the embedded tokenizer has no token for the single byte 0x\(String(format2: byte))")
            }
            let pattern = index.splitPattern.flatMap { SplitPattern(rawValue: $0) }
                ?? SplitPattern.inferred(rankCount: ranks.count) ?? .cl100k
            tokenizer = Tokenizer(ranks: ranks, pattern: pattern, identity: identity)
        } else {
            tokenizer = nil
        }
        spans = try index.spans()
        documents = try index.documents()
        let dna = try index.dna()
        let spanView = spans
        heroes = HeroView(spanCount: spans.count, span: { spanView[$0] },
                          tokens: index.tokens, scores: index.scores, spanFeatures: index.spanFeatures,
                          surprisal: dna.surprisal, features: dna.features, featureScales: dna.featureScales,
                          featureDimension: dna.featureDimension)
    }

    /// Tokens of `question` with the index's tokenizer; refuses an empty question and one
    /// of which the index knows no token.
    public func tokenize(_ question: String) throws -> [UInt32] {
        guard !question.allSatisfy({ $0.isWhitespace }) else {
            throw ProteusError(.usage, "the question is empty")
        }
        guard let tokenizer else {
            throw ProteusError(.usage, path: index.path,
                               "this index embeds no tokenizer: pass --tokenizer FILE.tiktoken or the question as --query-ids")
        }
        return tokenizer.encodeOrdinary(question)
    }

    /// Answers a question given as token ids, best `top` spans first.
    public func answer(question: String, tokens: [UInt32], top: Int) throws -> QueryAnswer {
        guard top > 0 else { throw ProteusError(.usage, "'--top' must be at least 1") }
        let weights = QuestionWeights(questionTokens: tokens, heroes: heroes)
        if weights.isEmpty {
            throw ProteusError(.dataError, path: index.path,
                               "none of the question's tokens is known to this index's vocabulary")
        }
        let ranked = finalPass.rank(weights, over: heroes, top: top)
        let docs = documents
        return try QueryAnswer(question: question, tokens: tokens, ranked: ranked, heroes: heroes,
                               documentName: { docs.name($0) }, documentStart: { docs.starts[$0] }, tokenizer: tokenizer)
    }

    /// Every span ranked for the question: what the context pack chooses from.
    public func rankAll(tokens: [UInt32]) -> [RankedSpan] {
        finalPass.rank(QuestionWeights(questionTokens: tokens, heroes: heroes), over: heroes, top: heroes.spanCount)
    }

    /// Total tokens of the indexed corpus (where a question is "teleported" to).
    public var corpusTokens: UInt64 { index.statistics.tokens }
}
