/// Finds the corpus an index was built from, for routing and `--context`, and makes sure it
/// is still the same tokens: the token count and the sampled blocks of `CorpusIdentity`
/// (so a stdin-built index recognises its corpus as a file or as a `.tok` of the same
/// tokens). Indexes built before the identity existed compare each input's size and hash.
public enum CorpusLocator {
    /// The outcome: a verified corpus, or why there is none.
    public enum Outcome {
        case found(TokenSource)
        /// No corpus to use, and the one-line reason ("… was built from standard input").
        case unavailable(String)
    }

    /// Corpus paths given by the user (`--corpus`, `--rescan`): a mismatch is an error
    /// (exit 65), since the user named the file.
    public static func explicit(_ paths: [String], for index: HeroIndex, options: InputOptions) throws -> TokenSource {
        let opened = try InputOpener.open(paths, options: options)
        if let mismatch = try mismatch(opened, index: index) {
            throw ProteusError(.dataError, path: paths.joined(separator: " "), mismatch)
        }
        return opened.source
    }

    /// The corpus at the paths recorded in the index, when they still hold it.
    public static func recorded(for index: HeroIndex, options: InputOptions) -> Outcome {
        let paths = index.fingerprint.inputs.map(\.path)
        guard !paths.isEmpty else { return .unavailable("the index records no corpus; pass --corpus FILE") }
        if paths.contains("-") || paths.contains(where: { $0.hasPrefix("/dev/fd/") || $0.hasPrefix("/proc/") }) {
            return .unavailable("the index was built from standard input or a pipe; pass --corpus FILE to read its corpus")
        }
        do {
            let opened = try InputOpener.open(paths, options: options)
            if let mismatch = try mismatch(opened, index: index) {
                return .unavailable("\(paths.joined(separator: " ")): \(mismatch)")
            }
            return .found(opened.source)
        } catch let e as ProteusError {
            return .unavailable(e.description)
        } catch {
            return .unavailable("\(error)")
        }
    }

    /// Why `opened` is not the indexed corpus, nil when it is. The same files as at build
    /// time (sizes and file hashes, which cost no token reads) are the corpus; other files
    /// are when they hold the same tokens (count and sampled blocks).
    static func mismatch(_ opened: OpenedInput, index: HeroIndex) throws -> String? {
        let intro = "does not match the corpus this index was built from"
        let now = opened.fingerprint.inputs, then = index.fingerprint.inputs
        if now.count == then.count, zip(now, then).allSatisfy({ $0.size == $1.size && $0.contentHash == $1.contentHash }) {
            return nil
        }
        guard let recorded = index.fingerprint.corpus else { return "\(intro) (size or content changed)" }
        let source = opened.source
        guard source.tokenCount == recorded.tokenCount else {
            return "\(intro) (\(source.tokenCount) tokens, the index was built from \(recorded.tokenCount))"
        }
        let sampled = try CorpusIdentityHasher.identity(of: source, full: false)
        guard sampled.sampleHash == recorded.sampleHash else {
            return "\(intro) (same length, different tokens)"
        }
        return nil
    }
}
