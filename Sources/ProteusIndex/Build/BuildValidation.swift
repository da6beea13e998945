extension BuildParameters {
    /// Largest `chunkLength`: per-count score tables and per-chunk buffers are sized by it
    /// (and positions inside a chunk are packed into 32 bits).
    static let maximumChunkLength = 1 << 24

    /// Checks the parameters once, before any work; the errors name the parameters.
    func validate() throws {
        if chunkLength <= 0 { throw "\(.chunkLength) must be positive (got \(chunkLength))" as ParameterError }
        if chunkLength > Self.maximumChunkLength {
            throw "\(.chunkLength) (\(chunkLength)) must be at most \(Self.maximumChunkLength)" as ParameterError
        }
        if perChunk <= 0 { throw "\(.perChunk) must be positive (got \(perChunk))" as ParameterError }
        if bufferTokens <= 0 { throw "\(.bufferTokens) must be positive (got \(bufferTokens))" as ParameterError }
        if span < 0 { throw "\(.span) must not be negative (got \(span))" as ParameterError }
        if gateCount < 0 { throw "\(.gateCount) must not be negative (got \(gateCount))" as ParameterError }
        if featureDimension <= 0 { throw "\(.featureDimension) must be positive (got \(featureDimension))" as ParameterError }
        if statisticsSampleTokens <= 0 {
            throw "\(.statisticsSampleTokens) must be positive (got \(statisticsSampleTokens))" as ParameterError
        }
        if span >= chunkLength {
            throw "\(.span) (\(span)) must be smaller than \(.chunkLength) (\(chunkLength))" as ParameterError
        }
        if perChunk > chunkLength {
            throw "\(.perChunk) (\(perChunk)) must not exceed \(.chunkLength) (\(chunkLength))" as ParameterError
        }
        if !(topP > 0 && topP <= 1) { throw "\(.topP) (\(topP)) must be in (0, 1]" as ParameterError }
        if routeWindow < 0 { throw "\(.routeWindow) must not be negative (got \(routeWindow))" as ParameterError }
        if !(routeListShare > 0 && routeListShare <= 1) {
            throw "\(.routeListShare) (\(routeListShare)) must be in (0, 1]" as ParameterError
        }
    }

    /// Tokens per routing window: the largest divisor of the chunk length that is at most
    /// `routeWindow` among chunk / 1, chunk / 2, …, so windows tile every chunk exactly
    /// (0: no routing tier).
    var effectiveRouteWindow: Int {
        guard routeWindow > 0 else { return 0 }
        var parts = max(1, (chunkLength + routeWindow - 1) / routeWindow)
        while chunkLength % parts != 0 { parts += 1 }
        return chunkLength / parts
    }

    /// Candidates a chunk keeps for the exact pass at most: twice the champions it may promote.
    var candidateLimit: Int { min(2 * perChunk, chunkLength) }

    /// Whether `signal` is on.
    func uses(_ signal: Signals) -> Bool { signals.contains(signal) }

    /// These parameters with `signal` off.
    func without(_ signal: Signals) -> BuildParameters {
        var p = self
        p.signals.remove(signal)
        return p
    }

    /// Checks what only the run knows: the embeddings against the features and the
    /// tokenizer (their rows must cover its ids), and that a focus text can be tokenized.
    func validate(embeddings: TokenEmbeddings?, tokenizer: TokenizerIdentity?, canTokenizeFocus: Bool = true) throws {
        if !focus.isEmpty && !canTokenizeFocus {
            throw "\(.focus) needs a tokenizer: pass \(.tokenizer)" as ParameterError
        }
        guard let e = embeddings else { return }
        if e.rows <= 0 || e.dimension <= 0 || e.values.count != e.rows * e.dimension {
            throw "\(.embeddings) holds \(e.values.count) values, not \(e.rows) rows of \(e.dimension)" as ParameterError
        }
        if e.dimension != featureDimension {
            throw "\(.embeddings) has dimension \(e.dimension) but \(.featureDimension) is \(featureDimension)" as ParameterError
        }
        if let t = tokenizer, e.rows < Int(t.vocabularySize) {
            throw "\(.embeddings) has \(e.rows) rows but tokenizer '\(t.name)' has \(t.vocabularySize) token ids" as ParameterError
        }
    }
}
