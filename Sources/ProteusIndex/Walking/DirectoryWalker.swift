#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How folders are walked; the defaults are ripgrep's.
public struct WalkOptions: Sendable {
    /// `--glob`: which files to take, before every other rule.
    public var globs = GlobFilter.none
    /// `--follow`: enter linked folders and take linked files (by default links are left out).
    public var followLinks = false
    /// `.gitignore` and `.ignore` files are obeyed unless `--no-ignore`.
    public var obeyIgnoreFiles = true
    public init() {}
}

/// An input after folders were expanded.
public struct InputPath: Equatable, Sendable {
    public let path: String
    /// Found inside a folder rather than named: a walk leaves out what it cannot use,
    /// where a named file that cannot be used is an error.
    public let walked: Bool
}

/// Turns folders into the files they hold, in an order that does not depend on the
/// filesystem: sorted byte-wise by path. Left out: names starting with "." (unless a
/// `--glob` or a `!` ignore line takes them), what `.gitignore`/`.ignore` files exclude,
/// symbolic links unless `followLinks`, anything but regular files (sockets, FIFOs,
/// devices), and a file already taken under another name (same device and inode: hard
/// links, or links followed with `--follow`).
public enum DirectoryWalker {
    /// The files under `directory`, sorted byte-wise by full path.
    public static func regularFiles(under directory: String, options: WalkOptions = WalkOptions()) throws -> [String] {
        var taken = Set<FileIdentity>()
        return try files(under: directory, options: options, taken: &taken)
    }

    /// Every input in order, folders replaced by their files. Named paths (files, "-",
    /// pipes) are kept as given; a walked file whose identity was already taken is left out.
    public static func expand(_ paths: [String], options: WalkOptions = WalkOptions()) throws -> [InputPath] {
        var taken = Set<FileIdentity>()
        var out: [InputPath] = []
        for path in paths {
            var st = stat()
            if path != "-", stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR {
                out += try files(under: path, options: options, taken: &taken).map { InputPath(path: $0, walked: true) }
            } else {
                if let identity = FileIdentity.of(path: path) { taken.insert(identity) }
                out.append(InputPath(path: path, walked: false))
            }
        }
        return out
    }

    private static func files(under directory: String, options: WalkOptions, taken: inout Set<FileIdentity>) throws -> [String] {
        let root = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        var walk = Walk(options: options)
        if let identity = FileIdentity.of(path: root) { walk.visited.insert(identity) }
        let rules = options.obeyIgnoreFiles ? IgnoreRules().entering(folder: root, relative: "") : IgnoreRules()
        try walk.folder(root, relative: "", rules: rules, linked: false)
        // Linked folders last, so a folder is reached by its own path when it has one.
        while !walk.linkedFolders.isEmpty {
            let next = walk.linkedFolders.removeFirst()
            guard walk.visited.insert(next.identity).inserted else { continue }
            try walk.folder(next.path, relative: next.relative, rules: walk.rules(next.rules, entering: next.path, next.relative),
                            linked: true)
        }
        // Of the names of one file, its own (not through a link) is kept, then the first in
        // byte order: what is kept never depends on readdir order.
        let preferred = walk.found.sorted { a, b in
            a.linked != b.linked ? !a.linked : a.path.utf8.lexicographicallyPrecedes(b.path.utf8)
        }
        let kept = Set(preferred.filter { taken.insert($0.identity).inserted }.map(\.path))
        return walk.found.map(\.path).filter(kept.contains).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The state of one folder's walk.
    private struct Walk {
        let options: WalkOptions
        /// Files with their identity, and whether a link led to them.
        var found: [(path: String, identity: FileIdentity, linked: Bool)] = []
        /// Folders entered, so a link cycle under `--follow` is walked once.
        var visited = Set<FileIdentity>()
        /// Folders reached through a link (`--follow`), walked after all the others.
        var linkedFolders: [(path: String, relative: String, identity: FileIdentity, rules: IgnoreRules)] = []

        init(options: WalkOptions) { self.options = options }

        /// Walks `directory`: its files and, depth first, its own subfolders. `linked`: a
        /// link led here.
        mutating func folder(_ directory: String, relative: String, rules: IgnoreRules, linked: Bool) throws {
            var subfolders: [(path: String, relative: String)] = []
            for name in try entries(of: directory) {
                let path = directory == "/" ? "/" + name : directory + "/" + name
                let rel = relative.isEmpty ? name : relative + "/" + name
                var st = stat()
                guard lstat(path, &st) == 0 else {
                    throw ProteusError.system("cannot stat", path: path, errno: errno, kind: .noInput)
                }
                let isLink = st.st_mode & S_IFMT == S_IFLNK
                if isLink {
                    // A dangling link, or one not to be followed, is left out.
                    guard options.followLinks, stat(path, &st) == 0 else { continue }
                }
                let type = st.st_mode & S_IFMT
                guard type == S_IFREG || type == S_IFDIR else { continue }
                guard takes(name: name, relative: rel, isDirectory: type == S_IFDIR, rules: rules) else { continue }
                let identity = FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
                if type == S_IFREG {
                    found.append((path, identity, linked || isLink))
                } else if isLink {
                    linkedFolders.append((path, rel, identity, rules))
                } else if visited.insert(identity).inserted {
                    subfolders.append((path, rel))
                }
            }
            for sub in subfolders {
                try folder(sub.path, relative: sub.relative, rules: self.rules(rules, entering: sub.path, sub.relative),
                           linked: linked)
            }
        }

        /// `rules` plus the ignore files of a folder being entered (unless `--no-ignore`).
        func rules(_ rules: IgnoreRules, entering path: String, _ relative: String) -> IgnoreRules {
            options.obeyIgnoreFiles ? rules.entering(folder: path, relative: relative) : rules
        }

        /// `--glob` first, then the ignore files, then the hidden-name rule (ripgrep's order).
        private func takes(name: String, relative: String, isDirectory: Bool, rules: IgnoreRules) -> Bool {
            if let verdict = options.globs.verdict(relative, isDirectory: isDirectory) { return verdict }
            if let ignored = rules.verdict(relative, isDirectory: isDirectory) { return !ignored }
            return !name.hasPrefix(".")
        }

        private func entries(of directory: String) throws -> [String] {
            guard let dir = opendir(directory) else {
                throw ProteusError.system("cannot list directory", path: directory, errno: errno, kind: .noInput)
            }
            defer { closedir(dir) }
            var names: [String] = []
            while true {
                errno = 0
                guard let entry = readdir(dir) else {
                    if errno != 0 { throw ProteusError.system("cannot list directory", path: directory, errno: errno) }
                    // Sorted, so which path reaches a folder first (under --follow) is fixed.
                    return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                }
                let name = directoryEntryName(entry)
                if name != "." && name != ".." { names.append(name) }
            }
        }
    }
}
