#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One pattern in gitignore syntax, as `.gitignore` lines and `--glob` values are written
/// (gitignore(5)): `!` negates, a trailing `/` matches directories only, a `/` at the
/// start or in the middle anchors the pattern to its folder (otherwise it matches a name
/// at any depth), and `**` as a whole component matches any number of folders. Each
/// component is matched by fnmatch(3), so `*`, `?`, `[a-z]` and `\` escapes work as in git.
struct GlobPattern: Equatable, Sendable {
    /// The pattern as written, for messages.
    let text: String
    /// `!pattern`.
    let negated: Bool
    /// `pattern/`: matches directories only.
    let directoryOnly: Bool
    /// Components matched against the whole relative path; a single component when the
    /// pattern is not anchored and is matched against the last component only.
    let components: [String]
    let anchored: Bool

    /// A `.gitignore` line; nil for blank lines and `#` comments.
    init?(gitignoreLine line: String) {
        var body = Substring(line)
        if body.hasSuffix("\r") { body.removeLast() }
        if body.hasPrefix("#") { return nil }
        // Trailing spaces are dropped unless escaped with a backslash.
        while body.hasSuffix(" ") && !body.hasSuffix("\\ ") { body.removeLast() }
        self.init(body: body, text: line)
        if components.isEmpty { return nil }
    }

    /// A `--glob` value (no comments: `#` is an ordinary character there).
    init?(glob: String) {
        self.init(body: Substring(glob), text: glob)
        if components.isEmpty { return nil }
    }

    private init(body original: Substring, text: String) {
        var body = original
        self.text = text
        negated = body.hasPrefix("!")
        if negated { body.removeFirst() }
        if body.hasPrefix("\\!") || body.hasPrefix("\\#") { body.removeFirst() }
        directoryOnly = body.hasSuffix("/")
        while body.hasSuffix("/") { body.removeLast() }
        anchored = body.contains("/")
        if body.hasPrefix("/") { body.removeFirst() }
        components = body.isEmpty ? [] : body.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    /// Whether the pattern matches `relativePath` (components joined by `/`, relative to the
    /// folder the pattern belongs to), ignoring negation.
    func matches(_ relativePath: String, isDirectory: Bool) -> Bool {
        if directoryOnly && !isDirectory { return false }
        let names = relativePath.split(separator: "/").map(String.init)
        guard let last = names.last else { return false }
        if !anchored { return GlobPattern.fnmatch(components[0], last) }
        return GlobPattern.match(components[...], names[...])
    }

    /// Component-wise match where `**` takes any number of components (at least one when it
    /// ends the pattern: `dir/**` is everything inside `dir`, not `dir` itself).
    private static func match(_ pattern: ArraySlice<String>, _ names: ArraySlice<String>) -> Bool {
        guard let first = pattern.first else { return names.isEmpty }
        if first == "**" {
            let rest = pattern.dropFirst()
            if rest.isEmpty { return !names.isEmpty }
            var tail = names
            while true {
                if match(rest, tail) { return true }
                guard !tail.isEmpty else { return false }
                tail = tail.dropFirst()
            }
        }
        guard let name = names.first, fnmatch(first, name) else { return false }
        return match(pattern.dropFirst(), names.dropFirst())
    }

    private static func fnmatch(_ pattern: String, _ name: String) -> Bool {
        Glibc.fnmatch(pattern, name, 0) == 0
    }
}
