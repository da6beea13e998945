/// The refusals of `merge`: inputs that are not shards of one build, or do not cover the
/// corpus exactly once. Each names the files and the field that differs.
enum ShardChecks {
    /// An opened input with its shard state.
    struct Part {
        let path: String
        let index: HeroIndex
        let state: ShardState
        /// Whether `state` is an append state's closed prefix (`APND`) rather than a shard's.
        var fromAppendPrefix = false
        /// The part's heroes stop before this position (an appendable index's prefix).
        var heroLimit: UInt64 = .max

        /// `state` with its pool's windows.
        func stateWithWindows() throws -> ShardState? {
            fromAppendPrefix ? try index.appendState(withWindows: true)?.prefix
                : try index.shardState(withDNA: false, withWindows: true)
        }
    }

    /// Fails unless every part agrees with the first on what makes them one build.
    static func checkSameBuild(_ parts: [Part]) throws {
        guard let first = parts.first else { return }
        for part in parts.dropFirst() {
            func differs(_ field: String) -> ProteusError {
                ProteusError(.dataError, path: part.path, "\(field) differs from \(first.path): not a shard of the same build")
            }
            if part.state.spec.count != first.state.spec.count {
                throw ProteusError(.dataError, path: part.path, "shard count differs: it is shard \(part.state.spec.description), \(first.path) is shard \(first.state.spec.description)")
            }
            if part.state.dnaHash != first.state.dnaHash { throw differs("DNA") }
            for (name, value) in parameterFields where value(part.index.parameters) != value(first.index.parameters) {
                throw differs("parameter '\(name)' (\(value(part.index.parameters)) against \(value(first.index.parameters)))")
            }
            let a = part.index, b = first.index
            // The identity (its SHA-256) says which ranks; their form is the binary's (the merge writes today's).
            if a.tokenizer != b.tokenizer || a.splitPattern != b.splitPattern || a.embeddedRanks.isEmpty != b.embeddedRanks.isEmpty {
                throw differs("tokenizer")
            }
            if a.statistics.tokens != b.statistics.tokens || part.state.chunkCount != first.state.chunkCount
                || part.state.sampleHash != first.state.sampleHash || a.fingerprint.inputs != b.fingerprint.inputs {
                throw differs("corpus fingerprint")
            }
            for kind in [SectionKind.documentStarts, .documentLengths, .documentNameOffsets, .documentNames]
                where a.entry(kind).checksum != b.entry(kind).checksum {
                throw differs("document table")
            }
        }
    }

    /// The parts in shard order; fails on a duplicated, missing or overlapping shard. A
    /// `partial` merge may stop short of 1..N at either end, but its shards must still follow
    /// one another without a gap.
    static func inOrder(_ parts: [Part], partial: Bool = false) throws -> [Part] {
        let sorted = parts.sorted { ($0.state.spec.index, $0.state.spec.last) < ($1.state.spec.index, $1.state.spec.last) }
        guard let count = sorted.first?.state.spec.count else { return [] }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.state.spec.index <= a.state.spec.last {
            let (x, y) = (a.state.spec, b.state.spec)
            throw ProteusError(.dataError, path: b.path, x == y
                ? "duplicated shard: it and \(a.path) are both shard \(x.description)"
                : "overlapping shards: it is shard \(y.description) and \(a.path) is shard \(x.description)")
        }
        let held = sorted.reduce(0) { $0 + $1.state.spec.width }
        func missing(_ shard: Int) -> ProteusError {
            ProteusError(.dataError, "missing shard \(shard)/\(count): the inputs hold \(held) of \(count) shards"
                         + (partial ? " and a partial merge needs consecutive ones" : ""))
        }
        if !partial && sorted[0].state.spec.index != 1 { throw missing(1) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.state.spec.index != a.state.spec.last + 1 {
            throw missing(a.state.spec.last + 1)
        }
        if !partial && sorted.last!.state.spec.last != count { throw missing(sorted.last!.state.spec.last + 1) }
        var next = sorted[0].state.chunks.lowerBound
        for part in sorted {
            guard part.state.chunks.lowerBound == next else {
                throw ProteusError(.dataError, path: part.path, "shard \(part.state.spec.description) covers chunks \(part.state.chunks) but the shards before end at chunk \(next): overlapping or missing ranges")
            }
            next = part.state.chunks.upperBound
        }
        guard partial || (sorted[0].state.chunks.lowerBound == 0 && next == sorted[0].state.chunkCount) else {
            throw ProteusError(.dataError, "the shards end at chunk \(next) of \(sorted[0].state.chunkCount): missing range")
        }
        return sorted
    }

    /// The build parameters shards must share, by command-line flag.
    static let parameterFields: [(String, (BuildParameters) -> String)] = DNACompatibility.learnedFields + [
        ("--buffer", { "\($0.bufferTokens)" }),
        ("--span", { "\($0.span)" }),
        ("--route-window", { "\($0.routeWindow)" }),
        ("--route-list-share", { "\($0.routeListShare)" }),
        ("--focus", { $0.focus }),
        ("feature source", { $0.featureSource }),
    ]
}
