/// `learn` as a library call: phase 1 of a build over the inputs, written as a `.dna` file
/// that `build --dna` (and every shard of a distributed build) reuses.
extension IndexBuilder {
    public struct LearnReport {
        public var output: String
        public var bytes: UInt64
        public var tokens: UInt64
        public var seconds: Double
    }

    /// Learns the DNA of `inputs` with `options` (parameters, tokenizer, embeddings, focus).
    public func learn(inputs: [String], output: String) throws -> LearnReport {
        let watch = Stopwatch()
        var input = options.input
        input.tokenizer = options.tokenizer?.identity
        let opened = try InputOpener.open(inputs, options: input)
        try OutputDestination.check(output, inputs: opened.identities)
        let source = opened.source
        let identity = try TokenizerChoice.forBuild(given: options.tokenizer?.identity, of: source)
        let pipeline = try BuildPipeline(parameters: options.parameters)
        pipeline.tokenizer = options.tokenizer?.identity
        pipeline.identifierShapes = options.tokenizer?.identifierShapes()
        try options.parameters.validate(embeddings: options.embeddings, tokenizer: identity,
                                        canTokenizeFocus: options.tokenizer != nil)
        var dna = try pipeline.learn(source: source, embeddings: options.embeddings,
                                     focusTokens: focusTokens(options.parameters.focus), threads: options.threads)
        dna.tokenizer = identity
        let bytes = try DNAFile.write(dna, to: output, inputs: opened.identities)
        return LearnReport(output: output, bytes: bytes, tokens: source.tokenCount, seconds: watch.elapsed)
    }
}
