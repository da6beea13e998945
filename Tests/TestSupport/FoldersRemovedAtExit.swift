import Foundation

/// Folders removed when the test process exits (`atexit`), whatever still holds them: a
/// suite's static fixture is never released, so its folder's owner never removes it.
public enum FoldersRemovedAtExit {
    nonisolated(unsafe) private static var paths: [String] = []
    private static let lock = NSLock()

    public static func register(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        if paths.isEmpty { atexit { FoldersRemovedAtExit.removeAll() } }
        paths.append(path)
    }

    private static func removeAll() {
        lock.lock()
        defer { lock.unlock() }
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
    }
}
