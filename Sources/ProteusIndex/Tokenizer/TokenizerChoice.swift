/// Which tokenizer to use for a file that records the identity of the one it was made with.
public enum TokenizerChoice {
    /// Returns `explicit` when it matches `recorded` (or nothing is recorded); refuses a
    /// tokenizer whose SHA-256 differs, and asks for one when none was given.
    public static func resolve(explicit: Tokenizer?, recorded: TokenizerIdentity?, recordedIn file: String,
                               purpose: String) throws -> Tokenizer {
        guard let explicit else {
            if let recorded {
                throw ProteusError(.usage, path: file, "\(purpose) needs the tokenizer this file was made with (\(recorded.name), sha256 \(recorded.sha256Hex.prefix(12))…): pass --tokenizer FILE.tiktoken or set PROTEUS_TOKENIZER")
            }
            throw ProteusError(.usage, path: file, "\(purpose) needs a tokenizer: pass --tokenizer FILE.tiktoken or set PROTEUS_TOKENIZER")
        }
        try check(explicit.identity, against: recorded, recordedIn: file)
        return explicit
    }

    /// The tokenizer a build (or `learn`) of `source` answers to: the one given, checked
    /// against the one the source records, else the recorded one (nil: none at all).
    public static func forBuild(given: TokenizerIdentity?, of source: TokenSource) throws -> TokenizerIdentity? {
        guard let given else { return source.tokenizer }
        try check(given, against: source.tokenizer, recordedIn: source.name)
        return given
    }

    /// Refuses `given` when `recorded` names a tokenizer with another SHA-256.
    public static func check(_ given: TokenizerIdentity, against recorded: TokenizerIdentity?, recordedIn file: String) throws {
        guard let recorded, recorded.sha256 != given.sha256 else { return }
        throw ProteusError(.dataError, path: file,
                           "was made with tokenizer \(recorded.name) (sha256 \(recorded.sha256Hex.prefix(12))…), but the given tokenizer \(given.name) has sha256 \(given.sha256Hex.prefix(12))…; pass the tokenizer the file was made with")
    }
}
