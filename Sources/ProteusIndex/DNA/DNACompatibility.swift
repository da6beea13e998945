/// Whether a `.dna` file can score a build: the same tokenizer and vocabulary, and the same
/// values of every parameter the DNA was learned with. A refusal names the field.
enum DNACompatibility {
    /// The parameters phase 1 depends on, by command-line flag: the sample, the features, and
    /// the champions the gates evolved over.
    static let learnedFields: [(flag: String, value: (BuildParameters) -> String)] = [
        ("--chunk-len", { "\($0.chunkLength)" }),
        ("--per-chunk", { "\($0.perChunk)" }),
        ("--top-p", { "\($0.topP)" }),
        ("--signals", { $0.signals.names.joined(separator: ",") }),
        ("--sample-tokens", { "\($0.statisticsSampleTokens)" }),
        ("--feature-dim", { "\($0.featureDimension)" }),
        ("--gates", { "\($0.gateCount)" }),
    ]

    /// Throws when `dna` (read from `path`) cannot score a build with `parameters` over a
    /// corpus of `tokenizer`.
    static func check(_ dna: FrozenDNA, path: String, parameters: BuildParameters, tokenizer: TokenizerIdentity?) throws {
        func refuse(_ message: String) -> ProteusError { ProteusError(.usage, path: path, message) }
        switch (dna.tokenizer, tokenizer) {
        case (nil, nil): break
        case let (learned?, used?) where learned == used: break
        case let (learned?, used?) where learned.vocabularySize != used.vocabularySize:
            throw refuse("vocabulary differs: learned with \(learned.vocabularySize) ids ('\(learned.name)'), the corpus has \(used.vocabularySize) ('\(used.name)'); learn the DNA again for this corpus")
        case let (learned?, used?):
            throw refuse("tokenizer differs: learned with '\(learned.name)' (sha256 \(hex(learned.sha256).prefix(12))), the corpus uses '\(used.name)' (sha256 \(hex(used.sha256).prefix(12))); learn the DNA again for this corpus")
        case let (learned?, nil):
            throw refuse("tokenizer differs: learned with '\(learned.name)', the corpus has no tokenizer (pass --tokenizer)")
        case let (nil, used?):
            throw refuse("tokenizer differs: learned from raw ids without a tokenizer, the corpus uses '\(used.name)'")
        }
        for (flag, value) in learnedFields where value(dna.parameters) != value(parameters) {
            throw refuse("'\(flag)' differs: learned with \(value(dna.parameters)), this build has \(value(parameters)); use the same value or learn again")
        }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
