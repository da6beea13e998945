#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a directory into the list of token files it holds, in an order that does not
/// depend on the filesystem: every regular file below it, recursively, sorted byte-wise by
/// path. Names starting with "." are skipped (editor swap files, our own temporaries), and
/// symbolic links are followed only when they lead to a regular file (never into
/// directories, so a link cycle cannot loop).
public enum DirectoryWalker {
    /// The regular files under `directory`, sorted byte-wise by full path.
    public static func regularFiles(under directory: String) throws -> [String] {
        var found: [String] = []
        try walk(directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory,
                 into: &found)
        return found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private static func walk(_ directory: String, into found: inout [String]) throws {
        guard let dir = opendir(directory) else {
            throw ProteusError.system("cannot list directory", path: directory, errno: errno, kind: .noInput)
        }
        defer { closedir(dir) }
        var subdirectories: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { throw ProteusError.system("cannot list directory", path: directory, errno: errno) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name.hasPrefix(".") { continue }
            let path = directory == "/" ? "/" + name : directory + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0 else {
                throw ProteusError.system("cannot stat", path: path, errno: errno, kind: .noInput)
            }
            switch st.st_mode & S_IFMT {
            case S_IFREG: found.append(path)
            case S_IFDIR: subdirectories.append(path)
            case S_IFLNK:
                var target = stat()
                if stat(path, &target) == 0, target.st_mode & S_IFMT == S_IFREG { found.append(path) }
            default: break // sockets, fifos, devices: not token files
            }
        }
        for sub in subdirectories { try walk(sub, into: &found) }
    }
}
