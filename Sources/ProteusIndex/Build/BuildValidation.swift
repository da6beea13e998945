/// The DNA signals a build can switch off for ablations.
enum Signal: String, CaseIterable {
    case surprisal, burstiness, gates, spans
    /// Identifier-shaped tokens (digit runs, hex groups, hyphenated pieces) score more.
    case shapes
}

extension BuildParameters {
    /// Largest `chunkLength`: per-count score tables and per-chunk buffers are sized by it
    /// (and positions inside a chunk are packed into 32 bits).
    static let maximumChunkLength = 1 << 24

    /// Checks the options once, before any work; the messages name the command-line flags.
    func validate() throws {
        func usage(_ message: String) -> ProteusError { ProteusError(.usage, message) }
        if chunkLength <= 0 { throw usage("'--chunk-len' must be positive (got \(chunkLength))") }
        if chunkLength > Self.maximumChunkLength {
            throw usage("'--chunk-len' (\(chunkLength)) must be at most \(Self.maximumChunkLength)")
        }
        if perChunk <= 0 { throw usage("'--per-chunk' must be positive (got \(perChunk))") }
        if bufferTokens <= 0 { throw usage("'--buffer-tokens' must be positive (got \(bufferTokens))") }
        if span < 0 { throw usage("'--span' must not be negative (got \(span))") }
        if gateCount < 0 { throw usage("'--gates' must not be negative (got \(gateCount))") }
        if featureDimension <= 0 {
            throw usage("'--feature-dim' must be positive (got \(featureDimension))")
        }
        if statisticsSampleTokens <= 0 {
            throw usage("'--sample-tokens' must be positive (got \(statisticsSampleTokens))")
        }
        if span >= chunkLength {
            throw usage("'--span' (\(span)) must be smaller than '--chunk-len' (\(chunkLength))")
        }
        if perChunk > chunkLength {
            throw usage("'--per-chunk' (\(perChunk)) must not exceed '--chunk-len' (\(chunkLength))")
        }
        if !(topP > 0 && topP <= 1) { throw usage("'--top-p' (\(topP)) must be in (0, 1]") }
        if routeWindow < 0 { throw usage("'--route-window' must not be negative (got \(routeWindow))") }
        if !(routeListShare > 0 && routeListShare <= 1) {
            throw usage("'--route-list-share' (\(routeListShare)) must be in (0, 1]")
        }
        for name in signals where Signal(rawValue: name) == nil {
            let known = Signal.allCases.map(\.rawValue).joined(separator: ", ")
            throw usage("unknown signal '\(name)' in '--signals' (expected one of: \(known))")
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

    /// Whether `signal` is on.
    func uses(_ signal: Signal) -> Bool { signals.contains(signal.rawValue) }

    /// These parameters with `signal` off.
    func without(_ signal: Signal) -> BuildParameters {
        var p = self
        p.signals.removeAll { $0 == signal.rawValue }
        return p
    }

    /// Checks what only the run knows: threads and the embeddings against the corpus.
    func validate(threads: Int, embeddings: TokenEmbeddings?, tokenizer: TokenizerIdentity?) throws {
        if threads <= 0 { throw ProteusError(.usage, "'--threads' must be positive (got \(threads))") }
        guard let e = embeddings else { return }
        if e.rows <= 0 || e.dimension <= 0 || e.values.count != e.rows * e.dimension {
            throw ProteusError(.usage, "'--embeddings' holds \(e.values.count) values, not \(e.rows) rows of \(e.dimension)")
        }
        if e.dimension != featureDimension {
            throw ProteusError(.usage, "'--embeddings' has dimension \(e.dimension) but '--feature-dim' is \(featureDimension)")
        }
        if let t = tokenizer, e.rows != Int(t.vocabularySize) {
            throw ProteusError(.usage, "'--embeddings' has \(e.rows) rows but tokenizer '\(t.name)' has \(t.vocabularySize) token ids")
        }
    }
}
