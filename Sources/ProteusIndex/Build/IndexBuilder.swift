#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `build` as a library call: opens the inputs, runs the Proteus pipeline, records the
/// tokenizer, fingerprint and DNA state, and writes the `.phb` atomically.
public struct IndexBuilder {
    public struct Options {
        public var parameters = BuildParameters()
        public var threads = 1
        public var input = InputOptions()
        /// Tokenizer to record and embed (must match the one a `.tok` records).
        public var tokenizer: Tokenizer?
        /// Embed the tokenizer's ranks so the index is self-sufficient.
        public var embedTokenizer = true
        public var embeddings: TokenEmbeddings?
        /// Build from exactly these sorted absolute positions instead of the DNA selection
        /// (how the evaluation scores baselines with the same final pass and budget).
        public var keepPositions: [UInt64]?
        /// A `.dna` file from `learn`: skips phase 1 and scores with it (its learned
        /// parameters must match, its focus and feature source are taken).
        public var dnaPath: String?
        /// Build only this shard of the corpus (needs `dnaPath`); `merge` joins the shards.
        public var shard: ShardSpec?
        /// Write an index that a part of files added later can be appended to (needs `dnaPath`):
        /// it keeps the state of its closed prefix (`AppendState`).
        public var appendable = false
        /// Build the part that appends the inputs past those of this appendable index (needs
        /// `dnaPath`); `merge` joins the two.
        public var afterPath: String?
        public init() {}
    }

    /// What a build reports (timings are not stored in the index, so it stays deterministic).
    public struct Report {
        public var output: String
        public var statistics: BuildStatistics
        public var seconds: Double
        public var indexBytes: UInt64
        public var peakResidentBytes: UInt64
        /// Something the user should know that did not stop the build.
        public var warnings: [String]
    }

    public let options: Options

    public init(options: Options) { self.options = options }

    /// Builds one index over all `inputs` (files, directories, "-").
    public func build(inputs: [String], output: String, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> Report {
        let watch = Stopwatch()
        if options.shard != nil && options.dnaPath == nil {
            throw ProteusError(.usage, "'--shard' needs '--dna FILE.dna' from 'learn': every shard must score with the same DNA")
        }
        if options.shard != nil && options.keepPositions != nil {
            throw ProteusError(.usage, "'--shard' cannot be combined with kept positions")
        }
        let appendFlag = options.afterPath != nil ? "--after" : options.appendable ? "--appendable" : nil
        if let flag = appendFlag {
            if options.dnaPath == nil {
                throw ProteusError(.usage, "'\(flag)' needs '--dna FILE.dna' from 'learn': an append must score with the same DNA")
            }
            if options.shard != nil || options.keepPositions != nil {
                throw ProteusError(.usage, "'\(flag)' cannot be combined with '--shard' or kept positions")
            }
        }
        // The index to append to, checked before the inputs are opened.
        let after = try options.afterPath.map { try AppendCheck.openAppendable($0, parameters: options.parameters) }
        var input = options.input
        input.tokenizer = options.tokenizer?.identity
        let opened = try InputOpener.open(inputs, options: input)
        // Refuse an output onto an input before spending time on the build.
        try OutputDestination.check(output, inputs: opened.identities)
        let source = opened.source
        let identity = try TokenizerChoice.forBuild(given: options.tokenizer?.identity, of: source)
        var warnings: [String] = []
        if options.tokenizer == nil, let recorded = source.tokenizer {
            warnings.append("\(source.name) was made with \(recorded.name) but no --tokenizer was given: the index records its identity but cannot tokenize questions or print text by itself")
        }
        var parameters = options.parameters
        var dna: FrozenDNA?
        if let path = options.dnaPath {
            let loaded = try DNAFile.read(path: path)
            try DNACompatibility.check(loaded, path: path, parameters: parameters,
                                       tokenizer: identity)
            parameters.focus = loaded.parameters.focus
            dna = loaded
            if let after { try AppendCheck.check(dna: loaded, path: path, against: after) }
        }
        var plan: AppendPlan? = options.appendable ? AppendPlan() : nil
        if let after {
            plan = try AppendCheck.plan(after, opened: opened, tokenizer: identity,
                                        chunkLength: parameters.chunkLength)
        }
        let pipeline = try BuildPipeline(parameters: parameters)
        // A focus from a .dna file was tokenized when the DNA was learned.
        try parameters.validate(embeddings: options.embeddings, tokenizer: identity,
                                canTokenizeFocus: options.tokenizer != nil || dna != nil)
        pipeline.tokenizer = options.tokenizer?.identity
        pipeline.lineBreaks = options.tokenizer?.lineBreakCounts()
        pipeline.identifierShapes = options.tokenizer?.identifierShapes()
        pipeline.pairFlags = options.tokenizer?.joinFlags()
        var contents: HeroIndexContents
        if let positions = options.keepPositions {
            contents = try pipeline.run(source: source, keeping: positions, embeddings: options.embeddings)
        } else {
            let frozen = try dna ?? pipeline.learn(source: source, embeddings: options.embeddings,
                                                   focusTokens: focusTokens(parameters.focus), threads: options.threads)
            contents = try pipeline.run(source: source, dna: frozen, threads: options.threads, shard: options.shard,
                                        append: plan, progress: progress)
        }
        contents.fingerprint.inputs = opened.fingerprint.inputs
        if let t = options.tokenizer {
            contents.tokenizer = t.identity
            contents.splitPattern = t.pattern.rawValue
            if options.embedTokenizer {
                contents.embeddedRanks = EmbeddedRanks.encode(t.ranks)
            }
        }
        let size = try HeroIndexWriter.write(contents, to: output, inputs: opened.identities)
        return Report(output: output, statistics: contents.statistics, seconds: watch.elapsed, indexBytes: size,
                      peakResidentBytes: ResourceUsage.current().peakResidentBytes, warnings: warnings)
    }

    /// The `--focus` text in the tokenizer's ids (none without a tokenizer).
    func focusTokens(_ focus: String) -> [UInt32] {
        focus.isEmpty ? [] : (options.tokenizer?.encodeOrdinary(focus) ?? [])
    }

    /// The default output of `build INPUT`: the input's name with `.phb` (a directory's
    /// name gets `.phb` appended).
    public static func defaultOutput(for input: String) -> String {
        var path = input
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        let slash = path.lastIndex(of: "/")
        let nameStart = slash.map { path.index(after: $0) } ?? path.startIndex
        if let dot = path[nameStart...].lastIndex(of: "."), dot != nameStart {
            return String(path[..<dot]) + ".phb"
        }
        return path + ".phb"
    }
}
