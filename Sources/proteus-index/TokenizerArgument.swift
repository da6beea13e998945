import ArgumentParser
import ProteusIndex
#if canImport(Glibc)
import Glibc
#endif

/// The tokenizer option shared by encode, decode, build and query.
struct TokenizerArgument: ParsableArguments {
    @Option(name: .customLong("tokenizer"), help: ArgumentHelp(
        "A .tiktoken rank file (e.g. cl100k_base.tiktoken). Default: $PROTEUS_TOKENIZER.",
        valueName: "file"))
    var path: String?

    @Option(help: ArgumentHelp("The pre-tokenizer split pattern of a rank file whose pattern cannot be told from its size: cl100k or r50k.",
                               valueName: "name"))
    var splitPattern: String?

    /// The rank file named by the option or the environment, if any.
    var resolvedPath: String? {
        if let path { return path }
        if let env = getenv("PROTEUS_TOKENIZER"), env.pointee != 0 { return String(cString: env) }
        return nil
    }

    func load() throws -> Tokenizer? {
        guard let p = resolvedPath else { return nil }
        var pattern: SplitPattern?
        if let splitPattern {
            guard let named = SplitPattern(rawValue: splitPattern) else {
                throw ProteusError(.usage, "'--split-pattern' must be cl100k or r50k, not '\(splitPattern)'")
            }
            pattern = named
        }
        return try Tokenizer.load(path: p, pattern: pattern)
    }

    func require(for purpose: String) throws -> Tokenizer {
        guard let t = try load() else {
            throw ProteusError(.usage, "\(purpose) needs a tokenizer: pass --tokenizer FILE.tiktoken (e.g. cl100k_base.tiktoken) or set PROTEUS_TOKENIZER")
        }
        return t
    }
}
