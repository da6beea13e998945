/// `query --rescan CORPUS`: the thorough mode. For each question the corpus is streamed again
/// through the same pipeline as `build`, with salience gates seeded by the question's tokens,
/// and the question is answered from that fresh hero buffer with the same final pass.
public final class RescanSession {
    public let engine: QueryEngine
    public let source: TokenSource
    private let pipeline: BuildPipeline
    private let threads: Int
    private var storage: HeroStorage?

    /// Opens `corpus` (any readable format); the build parameters are the index's own.
    public init(corpus: [String], engine: QueryEngine, input: InputOptions, threads: Int) throws {
        self.engine = engine
        source = try InputOpener.open(corpus, options: input).source
        var parameters = engine.index.parameters
        parameters.signals = parameters.signals.filter { $0 != "kept-positions" }
        if parameters.signals.isEmpty { parameters.signals = BuildParameters().signals }
        pipeline = try BuildPipeline(parameters: parameters)
        self.threads = threads
    }

    /// The heroes of the last rescan (valid until the next question).
    public var heroes: HeroView { storage!.view }

    public func answer(question: String, tokens: [UInt32], top: Int) throws -> QueryAnswer {
        guard top > 0 else { throw ProteusError(.usage, "'--top' must be at least 1") }
        let contents = try pipeline.run(source: source, focusTokens: tokens, threads: threads)
        let fresh = HeroStorage(contents)
        storage = fresh
        let weights = QuestionWeights(questionTokens: tokens, heroes: fresh.view)
        if weights.isEmpty {
            throw ProteusError(.dataError, path: source.name, "none of the question's tokens is known to this corpus's vocabulary")
        }
        let ranked = engine.finalPass.rank(weights, over: fresh.view, top: top)
        let docs = contents.documents
        return try QueryAnswer(question: question, tokens: tokens, ranked: ranked, heroes: fresh.view,
                               documentName: { docs.names[$0] }, documentStart: { docs.starts[$0] },
                               tokenizer: engine.tokenizer)
    }

    public func rankAll(tokens: [UInt32]) -> [RankedSpan] {
        guard let storage else { return [] }
        return engine.finalPass.rank(QuestionWeights(questionTokens: tokens, heroes: storage.view), over: storage.view,
                                     top: storage.view.spanCount)
    }
}

/// Fresh build contents copied into memory that stays put, so a `HeroView` can point into it.
final class HeroStorage {
    let spans: [HeroSpan]
    private let tokens: UnsafeMutableBufferPointer<UInt32>
    private let scores: UnsafeMutableBufferPointer<Float>
    private let spanFeatures: UnsafeMutableBufferPointer<Float>
    private let surprisal: UnsafeMutableBufferPointer<Float>
    private let features: UnsafeMutableBufferPointer<Int8>
    private let featureScales: UnsafeMutableBufferPointer<Float>
    private(set) var view: HeroView!

    init(_ c: HeroIndexContents) {
        func copy<T>(_ a: [T]) -> UnsafeMutableBufferPointer<T> {
            let p = UnsafeMutableBufferPointer<T>.allocate(capacity: max(a.count, 1))
            _ = p.initialize(from: a)
            return UnsafeMutableBufferPointer(rebasing: p[0..<a.count])
        }
        spans = c.spans
        tokens = copy(c.tokens)
        scores = copy(c.scores)
        spanFeatures = copy(c.spanFeatures)
        surprisal = copy(c.dna.surprisal)
        features = copy(c.dna.features)
        featureScales = copy(c.dna.featureScales)
        let spanList = spans
        view = HeroView(spanCount: spans.count, span: { spanList[$0] }, tokens: UnsafeBufferPointer(tokens),
                        scores: UnsafeBufferPointer(scores), spanFeatures: UnsafeBufferPointer(spanFeatures),
                        surprisal: UnsafeBufferPointer(surprisal), features: UnsafeBufferPointer(features),
                        featureScales: UnsafeBufferPointer(featureScales), featureDimension: c.dna.featureDimension)
    }

    deinit {
        for p in [UnsafeMutableRawPointer(tokens.baseAddress), UnsafeMutableRawPointer(scores.baseAddress),
                  UnsafeMutableRawPointer(spanFeatures.baseAddress), UnsafeMutableRawPointer(surprisal.baseAddress),
                  UnsafeMutableRawPointer(features.baseAddress), UnsafeMutableRawPointer(featureScales.baseAddress)] {
            p?.deallocate()
        }
    }
}
