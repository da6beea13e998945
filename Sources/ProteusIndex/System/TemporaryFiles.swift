import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The temporary files this process has open, so that a fatal signal removes them before
/// the process dies (see `ProcessSignals`), and so that a run can sweep away those of a
/// process that was killed with SIGKILL.
public enum TemporaryFiles {
    /// Created eagerly by `ProcessSignals.install`: a handler that ran this initialiser
    /// (a signal before the first output) would re-enter swift_once and spin forever
    /// (found by tools/kill_test.sh).
    static let table = SignalSafeTable()

    /// Outputs that have started to reach their destination (renamed into place, or being
    /// copied to a device): the Ctrl-C message says whether anything was written. Atomic:
    /// `build --each` commits from several threads, and a lock-free load is signal-safe.
    static let outputsWritten = Atomic<Int>(0)

    static func register(_ path: String) { table.insert(path) }

    static func unregister(_ path: String) { table.remove(path) }

    /// Forgets the parent's files in a forked child (tests fork to trigger the SIGBUS
    /// handler), so that the child's handler cannot remove files the parent is writing.
    static func forgetInForkedChild() { table.clearInForkedChild() }

    /// Unlinks every registered file. Async-signal-safe: called from signal handlers.
    static func unlinkAll() {
        table.forEach { _, _, _, path in _ = unlink(path) }
    }

    /// Removes `.NAME.proteus-tmp-PID-*` files in `folder` whose PID is no longer running:
    /// leftovers of a build that was killed with SIGKILL.
    static func removeStale(in folder: String, for name: String) {
        guard let dir = opendir(folder) else { return }
        defer { closedir(dir) }
        let prefix = "." + name + ".proteus-tmp-"
        while let entry = readdir(dir) {
            let entryName = directoryEntryName(entry)
            guard entryName.hasPrefix(prefix) else { continue }
            let rest = entryName.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]) else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                unlink(folder + "/" + entryName)
            }
        }
    }

    /// The folder for anonymous temporary files: $TMPDIR, else /tmp.
    static var folder: String {
        getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    /// A new file in `folder` (default `TemporaryFiles.folder`), unlinked before its first
    /// byte is written: it vanishes however the process ends, even with SIGKILL, while the
    /// returned descriptor keeps it alive. `purpose` and `path` name it in the error.
    static func anonymous(in folder: String? = nil, to purpose: String, path: String?) throws -> Int32 {
        let dir = folder ?? TemporaryFiles.folder
        var template = Array((dir + "/.proteus-spool-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 {
            throw ProteusError.system("cannot create a temporary file in '\(dir)' to \(purpose)", path: path,
                                      errno: errno, kind: .cannotCreate)
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }
}
