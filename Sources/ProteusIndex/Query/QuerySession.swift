/// `query` as a library call: opens the index, finds and verifies the corpus once, then
/// answers questions one after the other (routed when the corpus and a routing tier are
/// there, from the heroes otherwise), with context and the LLM pack on request.
public final class QuerySession {
    public struct Options {
        /// Answers per question.
        public var top = 5
        /// Corpus windows read per question at most when routing.
        public var maxWindows = 32
        /// Tokens of context on each side of an answer (0: none).
        public var context = 0
        /// The corpus, when given (`--corpus`); otherwise the paths the index records.
        public var corpus: [String] = []
        /// Read every window of this corpus (`--rescan`).
        public var rescan: String?
        /// Answer from the heroes only (`--index-only`).
        public var indexOnly = false
        /// Threads for `--rescan`.
        public var threads = 1
        public var input = InputOptions()
        /// The questions that will be asked, when known before the first (see `QueryEngine`).
        public var questions: [String] = []
        public init() {}
    }

    public let engine: QueryEngine
    public let options: Options
    /// Why answers cannot come from the corpus, or why reading it is slow (said once, before
    /// the first answer).
    public private(set) var warnings: [String] = []
    /// A `.tok` whose frames hold more routing windows than this gets a warning: each window
    /// read decompresses the whole frame.
    static let framesPerWindowWarning = 4
    private let teleporter: Teleporter
    private let widener: ContextWidener?
    private let lines: LineLocator?

    public init(index path: String, tokenizer: Tokenizer?, options: Options) throws {
        self.options = options
        // The corpus is found and checked while the embedded tokenizer is built.
        engine = try QueryEngine(opening: path, tokenizer: tokenizer, questions: options.questions)
        let corpus: TokenSource?
        do {
            corpus = try Self.corpus(for: engine, options: options, warnings: &warnings)
            try engine.finishOpening()
        } catch {
            try engine.finishOpening() // the index's own error first, as when it was opened first
            throw error
        }
        teleporter = try Teleporter(engine: engine, corpus: options.indexOnly ? nil : corpus)
        let tokenizer = engine.tokenizer
        widener = try options.context > 0 ? corpus.map { try ContextWidener(corpus: $0, tokenizer: tokenizer, context: options.context) } : nil
        if let corpus, let tier = try engine.index.routing(), let tokenizer {
            lines = try LineLocator(corpus: corpus, tier: tier, tokenizer: tokenizer)
        } else {
            lines = nil
        }
        if options.context > 0 && corpus == nil && !warnings.isEmpty {
            warnings[warnings.count - 1] += "; --context ignored"
        }
    }

    /// The corpus to read: `--rescan`'s, `--corpus`'s, or the recorded one (nil, with a
    /// warning, when it is not there or cannot be routed).
    private static func corpus(for engine: QueryEngine, options: Options, warnings: inout [String]) throws -> TokenSource? {
        var corpus: TokenSource?
        if let rescan = options.rescan {
            corpus = try CorpusLocator.explicit([rescan], for: engine.index, options: options.input)
        } else if !options.corpus.isEmpty {
            corpus = try CorpusLocator.explicit(options.corpus, for: engine.index, options: options.input)
        } else if !options.indexOnly || options.context > 0 {
            switch CorpusLocator.recorded(for: engine.index, options: options.input) {
            case .found(let source): corpus = source
            case .unavailable(let why): warnings.append("answering from the heroes alone: \(why)")
            }
        }
        if corpus != nil, options.rescan == nil, !options.indexOnly, try engine.index.routing() == nil {
            warnings.append(engine.index.isShard
                ? "answering from the heroes alone: a shard index has no routing tier until 'merge' joins all the shards; merge them, or use --rescan"
                : "answering from the heroes alone: this index has no routing tier (built by an older proteus-index or with --route-window 0); rebuild it, or use --rescan")
        }
        if let tok = corpus as? TokFile, options.rescan == nil, !options.indexOnly, let tier = try engine.index.routing(),
           tok.frameTokens > Self.framesPerWindowWarning * tier.shape.windowTokens {
            let w = tier.shape.windowTokens
            warnings.append("\(tok.name): frames of \(tok.frameTokens) tokens hold \(tok.frameTokens / w) routing windows of \(w), "
                            + "and reading one window decompresses its whole frame; "
                            + "'proteus-index convert \(tok.name) -o NEW.tok --frame-tokens \(w)' rewrites it for fast routing")
        }
        return corpus
    }

    /// Answers one question (given as text, or as token ids when `tokens` is set).
    public func ask(_ question: String, tokens given: [UInt32]? = nil) throws -> (answer: QueryAnswer, contexts: [SpanContext?], result: TeleportResult) {
        let watch = Stopwatch()
        let tokens = try given ?? engine.tokenize(question)
        let result = try teleporter.answer(tokens: tokens, top: options.top, maxWindows: options.maxWindows,
                                           exhaustive: options.rescan != nil, threads: options.threads)
        var answer = try engine.describe(result, question: question, tokens: tokens)
        if let lines {
            let found = try lines.locations(of: answer.results.map { ($0.start, $0.start - $0.documentOffset) }, threads: options.threads)
            for (i, at) in found.enumerated() { (answer.results[i].line, answer.results[i].column) = at }
        }
        answer.seconds = watch.elapsed
        return (answer, try widener?.widen(answer.results) ?? [], result)
    }

    /// The LLM pack of an answered question.
    public func pack(_ result: TeleportResult, tokens: [UInt32], maxTokens: Int, positions: PositionMode) throws -> ContextPack {
        try ContextPack(ranked: teleporter.packPieces(result, tokens: tokens), question: tokens,
                        corpusTokens: engine.corpusTokens, maxTokens: maxTokens, positions: positions)
    }
}
