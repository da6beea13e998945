/// The `.gitignore` and `.ignore` files in force during a walk, from the walked folder down
/// to the current one, and the verdict they give a path (ripgrep's order): `.ignore` files
/// before `.gitignore` files, deeper files before shallower ones, and in one file the last
/// matching line wins. A folder they exclude is not entered, so nothing inside it can be
/// taken back (as in git).
struct IgnoreRules {
    /// The ignore-file names read in each folder, in the order they are consulted.
    static let fileNames = [".ignore", ".gitignore"]

    /// The patterns of one ignore file and the folder (relative to the walk root, "" for
    /// the root) they are relative to.
    struct File {
        let folder: String
        let kind: Int // index into `fileNames`
        let patterns: [GlobPattern]
    }

    private(set) var files: [File] = []

    /// These rules plus the ignore files found in `folder` (`path` on disk, `relative` from
    /// the walk root). A file that cannot be read adds nothing, like git.
    func entering(folder path: String, relative: String) -> IgnoreRules {
        var next = self
        for (kind, name) in IgnoreRules.fileNames.enumerated() {
            guard let file = try? SystemFile(openForReading: path + "/" + name), file.size > 0,
                  file.size < 16 << 20, let bytes = try? file.readBytes(at: 0, count: Int(file.size)) else { continue }
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let patterns = lines.compactMap { GlobPattern(gitignoreLine: String($0)) }
            if !patterns.isEmpty { next.files.append(File(folder: relative, kind: kind, patterns: patterns)) }
        }
        return next
    }

    /// true: ignored; false: taken back by a `!` line; nil: no line matches.
    func verdict(_ relative: String, isDirectory: Bool) -> Bool? {
        for kind in IgnoreRules.fileNames.indices {
            for file in files.reversed() where file.kind == kind {
                let inside = file.folder.isEmpty ? relative : String(relative.dropFirst(file.folder.utf8.count + 1))
                if let hit = file.patterns.last(where: { $0.matches(inside, isDirectory: isDirectory) }) {
                    return !hit.negated
                }
            }
        }
        return nil
    }
}

/// `--glob` patterns (ripgrep's overrides): they come before every other rule, the last
/// matching one wins, `!` excludes; when at least one pattern includes, a file that
/// matches none is left out (folders are still entered). Matched against the path inside
/// the folder given on the command line.
public struct GlobFilter: Sendable {
    let patterns: [GlobPattern]

    /// No `--glob`: every file is left to the other rules.
    public static let none = GlobFilter(patterns: [])

    private init(patterns: [GlobPattern]) { self.patterns = patterns }

    /// Parses `--glob` values; an empty one is a usage error.
    public init(_ globs: [String]) throws {
        patterns = try globs.map { glob in
            guard let p = GlobPattern(glob: glob) else {
                throw ProteusError(.usage, "'--glob' needs a pattern, not '\(glob)'")
            }
            return p
        }
    }

    /// true: taken; false: left out; nil: no opinion (the other rules decide).
    func verdict(_ relative: String, isDirectory: Bool) -> Bool? {
        if let hit = patterns.last(where: { $0.matches(relative, isDirectory: isDirectory) }) { return !hit.negated }
        if !isDirectory && patterns.contains(where: { !$0.negated }) { return false }
        return nil
    }
}
