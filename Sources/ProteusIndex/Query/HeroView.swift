/// Read-only access to the heroes a question is answered from, as views into a
/// memory-mapped `.phb` index (nothing is copied per question), and the corpus's surprisal
/// of any id, which weighs the question's terms.
public struct HeroView {
    /// Number of hero spans.
    public var spanCount: Int
    /// The span at an index (spans are sorted by position).
    public var span: (Int) -> HeroSpan
    /// Hero token ids, span after span.
    public var tokens: UnsafeBufferPointer<UInt32>
    /// Per-token DNA scores, parallel to `tokens`.
    public var scores: UnsafeBufferPointer<Float>
    /// Every id is below it.
    public var vocabularySize: Int
    /// Surprisal of an id under the corpus unigram distribution (bits).
    public var surprisal: (UInt32) -> Float

    public init(spanCount: Int, span: @escaping (Int) -> HeroSpan, tokens: UnsafeBufferPointer<UInt32>,
                scores: UnsafeBufferPointer<Float>, vocabularySize: Int, surprisal: @escaping (UInt32) -> Float) {
        self.spanCount = spanCount
        self.span = span
        self.tokens = tokens
        self.scores = scores
        self.vocabularySize = vocabularySize
        self.surprisal = surprisal
    }
}
