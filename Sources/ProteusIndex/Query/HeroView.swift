/// Read-only access to the heroes a question is answered from: either views into a
/// memory-mapped `.phb` index or the arrays of a fresh build (`--rescan`). Big arrays are
/// buffer views so that nothing is copied per question.
public struct HeroView {
    /// Number of hero spans.
    public var spanCount: Int
    /// The span at an index (spans are sorted by position).
    public var span: (Int) -> HeroSpan
    /// Hero token ids, span after span.
    public var tokens: UnsafeBufferPointer<UInt32>
    /// Per-token DNA scores, parallel to `tokens`.
    public var scores: UnsafeBufferPointer<Float>
    /// `spanCount × featureDimension` span centroids; empty when features are absent.
    public var spanFeatures: UnsafeBufferPointer<Float>
    /// Surprisal of every token id under the corpus unigram distribution (bits).
    public var surprisal: UnsafeBufferPointer<Float>
    /// `vocabularySize × featureDimension` int8 token features, and one scale per row.
    public var features: UnsafeBufferPointer<Int8>
    public var featureScales: UnsafeBufferPointer<Float>
    public var featureDimension: Int

    public init(spanCount: Int, span: @escaping (Int) -> HeroSpan,
                tokens: UnsafeBufferPointer<UInt32>, scores: UnsafeBufferPointer<Float>,
                spanFeatures: UnsafeBufferPointer<Float>, surprisal: UnsafeBufferPointer<Float>,
                features: UnsafeBufferPointer<Int8>, featureScales: UnsafeBufferPointer<Float>,
                featureDimension: Int) {
        self.spanCount = spanCount
        self.span = span
        self.tokens = tokens
        self.scores = scores
        self.spanFeatures = spanFeatures
        self.surprisal = surprisal
        self.features = features
        self.featureScales = featureScales
        self.featureDimension = featureDimension
    }

    public var vocabularySize: Int { surprisal.count }
}
