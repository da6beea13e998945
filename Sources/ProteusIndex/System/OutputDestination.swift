#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What writing an output path does, decided once for every writer (`AtomicOutputFile`):
/// a regular file, or a path that does not exist yet, is replaced atomically; a character
/// device or FIFO (`/dev/null`, `/dev/stdout` on a terminal or pipe, `mkfifo`) is written
/// through and never replaced; anything else is refused. As root, replacing would turn
/// `/dev/null` into a regular file.
public enum OutputDestination {
    public enum Kind: Equatable, Sendable {
        /// Temporary file beside the path, fsynced and renamed over it.
        case replaced
        /// The path is opened and written; the node itself is left as it is.
        case writtenThrough
    }

    /// How `path` will be written. Refuses (exit 73) a path that is one of `inputs`, a
    /// directory, a socket or a block device.
    public static func kind(of path: String, inputs: [FileIdentity] = []) throws -> Kind {
        if let existing = FileIdentity.of(path: path), inputs.contains(existing) {
            throw ProteusError(.cannotCreate, path: path, "output path is also an input; choose another output")
        }
        var st = stat()
        guard stat(path, &st) == 0 else { return .replaced } // nothing there yet (or a dangling link)
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            // `-o /dev/stdout > file`: the shell chose the file; replacing would replace /dev/stdout.
            return isDescriptorAlias(path) ? .writtenThrough : .replaced
        case S_IFCHR, S_IFIFO:
            return .writtenThrough
        case S_IFDIR:
            throw ProteusError(.cannotCreate, path: path, "is a directory, expected an output file path")
        case S_IFBLK:
            throw ProteusError(.cannotCreate, path: path, "is a block device; refusing to write over it (give a file path)")
        case S_IFSOCK:
            throw ProteusError(.cannotCreate, path: path, "is a socket, not a file or device that can take the output")
        default:
            throw ProteusError(.cannotCreate, path: path, "is not a regular file, character device or FIFO")
        }
    }

    /// `kind(of:inputs:)` plus, for a replaced output, a folder that exists and is writable:
    /// what long commands check before they start, so they fail in milliseconds.
    @discardableResult
    public static func check(_ path: String, inputs: [FileIdentity] = []) throws -> Kind {
        let kind = try kind(of: path, inputs: inputs)
        if kind == .replaced { try checkFolder(of: path) }
        return kind
    }

    /// Fails, with the folder named, when the folder of `path` cannot take a new file.
    public static func checkFolder(of path: String) throws {
        let folder = split(path).folder
        var st = stat()
        guard stat(folder, &st) == 0 else {
            throw ProteusError(.cannotCreate, path: path, "folder '\(folder)' does not exist")
        }
        guard access(folder, W_OK) == 0 else {
            throw ProteusError(.cannotCreate, path: path, "folder '\(folder)' is not writable")
        }
    }

    /// The folder and the last component of `path`.
    static func split(_ path: String) -> (folder: String, name: String) {
        if let slash = path.lastIndex(of: "/") {
            let folder = String(path[..<slash])
            return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
        }
        return (".", path)
    }

    /// True when `path` reaches its file through a descriptor link (`/dev/stdout`,
    /// `/dev/fd/N`, `/proc/self/fd/N`): a link that lives in a `/proc/PID/fd` folder.
    static func isDescriptorAlias(_ path: String) -> Bool {
        var current = path
        for _ in 0..<40 { // the kernel's own limit on nested links
            var st = stat()
            guard lstat(current, &st) == 0, st.st_mode & S_IFMT == S_IFLNK else { return false }
            let folder = realFolder(of: current)
            if folder.hasPrefix("/proc/") && folder.hasSuffix("/fd") { return true }
            var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &target, Int(PATH_MAX))
            guard n > 0 else { return false }
            let link = String(decoding: target[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : folder + "/" + link
        }
        return false
    }

    private static func realFolder(of path: String) -> String {
        let folder = split(path).folder
        guard let resolved = realpath(folder, nil) else { return folder }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
