/// The refusals of `build --after INDEX`: the index must be appendable, and the part must be
/// built as it was (parameters, DNA, tokenizer) over its inputs followed by new ones.
enum AppendCheck {
    /// An appendable index opened for `--after`.
    struct Appendable {
        let path: String
        let index: HeroIndex
        let state: AppendState
        let corpus: CorpusIdentity
    }

    /// The parameters of `build` that the DNA does not hold, by flag.
    static let buildFields: [(String, (BuildParameters) -> String)] = [
        ("--buffer", { "\($0.bufferTokens)" }),
        ("--span", { "\($0.span)" }),
        ("--route-window", { "\($0.routeWindow)" }),
        ("--route-list-share", { "\($0.routeListShare)" }),
    ]

    static func openAppendable(_ path: String, parameters: BuildParameters) throws -> Appendable {
        let index = try HeroIndex(path: path)
        guard !index.isShard else {
            throw ProteusError(.dataError, path: path, "a shard or a part to append, not an appendable index: '--after' takes an index built with '--appendable' or merged from one")
        }
        guard let state = try index.appendState(withWindows: false), let corpus = index.fingerprint.corpus else {
            throw ProteusError(.dataError, path: path, "not an appendable index (built without '--appendable'): nothing can be appended to it")
        }
        for (name, value) in buildFields where value(parameters) != value(index.parameters) {
            throw ProteusError(.usage, path: path, "parameter '\(name)' differs (\(value(parameters)) against \(value(index.parameters)) in the index): a part must be built as the index it appends to")
        }
        return Appendable(path: path, index: index, state: state, corpus: corpus)
    }

    static func check(dna: FrozenDNA, path: String, against after: Appendable) throws {
        guard XXH64.hash(DNAFile.encode(dna)) == after.state.dnaHash else {
            throw ProteusError(.dataError, path: path, "DNA differs from the one \(after.path) was built with: a part must score with the same DNA")
        }
    }

    /// Checks that the inputs begin with the appendable index's, unchanged, and hold more;
    /// returns where the part starts.
    static func plan(_ after: Appendable, opened: OpenedInput, tokenizer: TokenizerIdentity?, chunkLength: Int) throws -> AppendPlan {
        if tokenizer != after.index.tokenizer {
            throw ProteusError(.dataError, path: after.path, "tokenizer differs: the index was built with \(after.index.tokenizer?.name ?? "no tokenizer"), the part with \(tokenizer?.name ?? "none")")
        }
        let old = after.index.fingerprint.inputs, new = opened.fingerprint.inputs
        for (k, was) in old.enumerated() {
            guard k < new.count, new[k].path == was.path else {
                throw ProteusError(.usage, path: after.path, "input \(k + 1) is \(k < new.count ? new[k].path : "missing"), but the index holds \(was.path) there: give the indexed inputs first, in their order, then the new ones")
            }
            guard new[k] == was else {
                throw ProteusError(.dataError, path: was.path, "changed since \(after.path) indexed it (size, modification time or content): rebuild instead of appending")
            }
        }
        let source = opened.source
        let tokens = after.corpus.tokenCount
        guard new.count > old.count, source.tokenCount > tokens else {
            throw ProteusError(.usage, path: after.path, "no new tokens after the \(old.count) inputs (\(tokens) tokens) the index holds: nothing to append")
        }
        // The old corpus's tail, re-read from the boundary, must hash to the recorded corpus.
        let start = AppendState.boundary(tokens: tokens, chunkLength: chunkLength)
        let from = UInt64(start) * UInt64(chunkLength)
        var hasher = CorpusIdentityHasher(tokenCount: tokens, start: from)
        hasher.keepsDigests = true
        let cursor = try source.makeCursor()
        var position = from
        while position < tokens {
            let window = try cursor.read(start: position, count: Int(min(1 << 16, tokens - position)))
            hasher.update(window)
            position += UInt64(window.count)
        }
        hasher.endStream()
        let prefix = after.state.prefix
        guard prefix.chunks.upperBound == start, prefix.digests.count == Int(from) / CorpusIdentityHasher.blockTokens,
              CorpusIdentityHasher.contentHash(digests: prefix.digests + hasher.digests) == after.corpus.contentHash else {
            throw ProteusError(.dataError, path: after.path, "the first \(tokens) tokens of the inputs differ from those the index holds (content hash): rebuild instead of appending")
        }
        return AppendPlan(startChunk: start, after: after.corpus)
    }
}
