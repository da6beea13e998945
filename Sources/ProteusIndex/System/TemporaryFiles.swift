#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The temporary files this process has open, so that SIGINT/SIGTERM remove them before
/// the process dies, and so that a run can sweep away those of a process that was killed.
public enum TemporaryFiles {
    // Fixed-size C-string table: the signal handler may only touch memory that never moves.
    private static let capacity = 64
    private static let slotSize = 4096
    nonisolated(unsafe) private static let table: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: capacity * slotSize)
        p.initialize(repeating: 0, count: capacity * slotSize)
        return p
    }()
    nonisolated(unsafe) private static var lock = pthread_mutex_t()
    nonisolated(unsafe) private static var lockInitialised: Bool = {
        pthread_mutex_init(&lock, nil)
        return true
    }()

    static func register(_ path: String) {
        _ = lockInitialised
        pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }
        let bytes = Array(path.utf8CString)
        guard bytes.count < slotSize else { return }
        for slot in 0..<capacity where table[slot * slotSize] == 0 {
            bytes.withUnsafeBufferPointer { src in
                (table + slot * slotSize + 1).update(from: src.baseAddress! + 1, count: bytes.count - 1)
            }
            table[slot * slotSize] = bytes[0] // publish the slot last
            return
        }
    }

    static func unregister(_ path: String) {
        _ = lockInitialised
        pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }
        for slot in 0..<capacity where table[slot * slotSize] != 0 {
            if String(cString: table + slot * slotSize) == path {
                table[slot * slotSize] = 0
            }
        }
    }

    /// Installs SIGINT/SIGTERM/SIGHUP handlers that unlink registered files and then die of
    /// the same signal (so the exit status still says "interrupted").
    public static func installSignalCleanup() {
        _ = lockInitialised
        // Initialise the lazy table now: a handler that runs its initialiser (first signal
        // before any output, or a signal during the first `register`) would re-enter
        // swift_once and spin forever (found by tools/kill_test.sh).
        _ = table
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { received in
                for slot in 0..<TemporaryFiles.capacity {
                    let p = TemporaryFiles.table + slot * TemporaryFiles.slotSize
                    if p[0] != 0 { unlink(p) }
                }
                signal(received, SIG_DFL)
                raise(received)
            }
        }
        // A parent that spawns from a thread with signals blocked (Foundation's Process from
        // a dispatch worker does) would make Ctrl-C a no-op: make the handled ones deliverable.
        var handled = sigset_t()
        sigemptyset(&handled)
        for sig in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&handled, sig) }
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
    }

    /// Removes `.NAME.proteus-tmp-PID-*` files in `folder` whose PID is no longer running:
    /// leftovers of a build that was killed with SIGKILL.
    static func removeStale(in folder: String, for name: String) {
        guard let dir = opendir(folder) else { return }
        defer { closedir(dir) }
        let prefix = "." + name + ".proteus-tmp-"
        while let entry = readdir(dir) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            guard entryName.hasPrefix(prefix) else { continue }
            let rest = entryName.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]) else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                unlink(folder + "/" + entryName)
            }
        }
    }
}
