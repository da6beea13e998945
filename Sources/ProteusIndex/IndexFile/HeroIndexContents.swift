/// Everything a `.phb` index holds, as plain values: what `build` produces and what the
/// index writer lays out on disk. The reader (`HeroIndex`) exposes the same data as views
/// into the mapped file, without copying.

/// One maximal run of consecutive hero tokens inside one document.
public struct HeroSpan: Equatable, Sendable {
    /// Absolute position of the span's first token in the concatenated input stream.
    public var start: UInt64
    /// Index of the span's first token in `HeroIndexContents.tokens` / `.scores`.
    public var firstHero: UInt32
    /// Number of tokens in the span.
    public var length: UInt32
    /// Document the span belongs to (spans are split at document boundaries).
    public var document: UInt32
    /// Highest token score in the span.
    public var score: Float

    public init(start: UInt64, firstHero: UInt32, length: UInt32, document: UInt32, score: Float) {
        self.start = start
        self.firstHero = firstHero
        self.length = length
        self.document = document
        self.score = score
    }
}

/// The options a build ran with. Recorded in the index; the thread count is deliberately
/// absent because it never changes the result.
public struct BuildParameters: Equatable, Sendable {
    public var chunkLength: Int = 65_536
    public var perChunk: Int = 4_096
    public var topP: Double = 0.9
    public var bufferTokens: Int = 32_768
    public var span: Int = 8
    /// Which DNA signals were on (for ablations); none when the heroes were given positions.
    public var signals: Signals = .all
    public var gateCount: Int = 16
    public var featureDimension: Int = 32
    /// Tokens sampled (evenly spaced chunks) to learn corpus statistics and features.
    public var statisticsSampleTokens: Int = 16_777_216
    /// Text the user seeded the gates with (`--focus`), empty when none.
    public var focus: String = ""
    /// Where token features came from: "cooccurrence" or "embeddings:<file name>:<sha256>".
    public var featureSource: String = "cooccurrence"
    /// Tokens per routing window (`RoutingTierContents`); 0 builds no routing tier.
    public var routeWindow: Int = 16_384
    /// Ids in more than this share of the routing windows get no window list.
    public var routeListShare: Double = 0.5

    public init() {}
}

/// Counts from the build, deterministic for a given input and parameters (no timings).
public struct BuildStatistics: Equatable, Sendable {
    public var tokens: UInt64 = 0
    public var chunks: Int = 0
    /// Champions promoted by all chunks together (before competing for the buffer).
    public var champions: UInt64 = 0
    /// Champions that lost their seat (evicted, or never admitted) to stronger ones.
    public var evicted: UInt64 = 0
    public var heroTokens: Int = 0
    public var spans: Int = 0
    /// True when the input was no larger than the buffer and was kept whole.
    public var keptWhole: Bool = false

    public init() {}
}

/// Identifies the corpus an index was built from, so a query can tell whether a file on
/// disk is still the one indexed (for `--context`).
public struct SourceFingerprint: Equatable, Sendable {
    public struct Input: Equatable, Sendable {
        /// Path as given to `build` (absolute when it was a file, "-" for stdin).
        public var path: String
        public var size: UInt64
        public var modificationSeconds: Int64
        /// XXH64 of the file's seek table (`.tok`) or of sampled bytes (other formats).
        public var contentHash: UInt64

        public init(path: String, size: UInt64, modificationSeconds: Int64, contentHash: UInt64) {
            self.path = path
            self.size = size
            self.modificationSeconds = modificationSeconds
            self.contentHash = contentHash
        }
    }

    public var inputs: [Input] = []
    /// The token stream itself, however it arrived (files, standard input, a pipe).
    public var corpus: CorpusIdentity?
    public init() {}
}

/// What identifies a corpus by content: the same tokens give the same identity whether they
/// came from a `.tok`, a raw file, standard input or several files, so a query can recognise
/// its corpus in any of those forms.
public struct CorpusIdentity: Equatable, Sendable {
    /// Number of tokens.
    public var tokenCount: UInt64
    /// XXH64 of every token as a little-endian u32, in stream order (`inspect --verify`).
    public var contentHash: UInt64
    /// XXH64 of a few sampled blocks (`CorpusSample`): the cheap check a query makes.
    public var sampleHash: UInt64

    public init(tokenCount: UInt64, contentHash: UInt64, sampleHash: UInt64) {
        self.tokenCount = tokenCount
        self.contentHash = contentHash
        self.sampleHash = sampleHash
    }
}

/// The DNA state the query pass needs to score questions the way the build scored tokens.
///
/// Only the ids the statistics sample saw have rows of their own (sparse: a small corpus
/// has a small index); every other id of the vocabulary has `unseenSurprisal` and no
/// features.
public struct DNAState: Equatable, Sendable {
    /// Vocabulary size: every id is below it.
    public var vocabularySize: Int = 0
    /// The ids with a row, increasing.
    public var ids: [UInt32] = []
    /// Surprisal of each row's id under the corpus unigram distribution, in bits.
    public var surprisal: [Float] = []
    /// Surprisal of an id without a row (never seen in the sample): the highest.
    public var unseenSurprisal: Float = 0
    /// Dimension of token feature vectors.
    public var featureDimension: Int = 0
    /// Each row's feature vector, `rows × featureDimension`, int8 with a scale per row
    /// (value = features[i] * featureScales[row] / 127).
    public var features: [Int8] = []
    public var featureScales: [Float] = []
    /// Salience gate prototypes, `gateCount × featureDimension`, unit length.
    public var gates: [Float] = []
    /// Confidence of each gate (how much it has been confirmed by champions).
    public var gateConfidence: [Float] = []

    public init() {}
}

/// The whole content of one `.phb` index.
public struct HeroIndexContents: Equatable, Sendable {
    public var parameters = BuildParameters()
    public var statistics = BuildStatistics()
    public var fingerprint = SourceFingerprint()
    public var documents = DocumentTable()
    /// The tokenizer the corpus was built with, when known.
    public var tokenizer: TokenizerIdentity?
    /// Split-pattern name of that tokenizer ("cl100k", "r50k").
    public var splitPattern: String?
    /// The tokenizer's ranks in `RankTable`'s serialized form, so questions can be tokenized
    /// and heroes decoded with no other file; empty with `--no-embed-tokenizer`.
    public var embeddedRanks: [UInt8] = []
    /// Hero spans sorted by position.
    public var spans: [HeroSpan] = []
    /// Hero token ids, span after span.
    public var tokens: [UInt32] = []
    /// Per-token DNA scores, parallel to `tokens`.
    public var scores: [Float] = []
    /// Mean feature vector of each span (`spans.count × dna.featureDimension`), for a fast
    /// similarity pass at query time.
    public var spanFeatures: [Float] = []
    public var dna = DNAState()
    /// Which corpus windows hold each token id; nil when built without one.
    public var routing: RoutingTierContents?
    /// Tokens past each edge that the routing windows' lists hold (the tier's, or a shard's
    /// and an append's windows before inversion): what the builder collects, the least of
    /// the parts' in a merge.
    public var windowReach = RoutingTierContents.windowReach
    /// What a shard index (`build --shard`) carries for the merge; nil in a whole index.
    var shard: ShardState?
    /// A shard's routing windows before inversion; nil in a whole index.
    var shardWindows: ShardWindows?
    /// What an append needs (`build --appendable`, `build --after`); nil otherwise.
    var append: AppendState?
    /// An appendable whole index's closed prefix of routing windows, before inversion.
    var appendWindows: SectionBlob?

    public init() {}
}
