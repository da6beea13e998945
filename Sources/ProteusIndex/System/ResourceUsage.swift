#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory figures of this process, read from /proc/self/status (Linux).
public struct ResourceUsage: Sendable {
    /// Peak resident set size (VmHWM), bytes.
    public var peakResidentBytes: UInt64 = 0
    /// Current anonymous resident memory (RssAnon), bytes: what does not come from files.
    public var anonymousResidentBytes: UInt64 = 0
    /// Current file-backed resident memory (RssFile), bytes: mapped input pages.
    public var fileResidentBytes: UInt64 = 0

    /// Reads the current figures; zeros where the system does not provide them.
    public static func current() -> ResourceUsage {
        var usage = ResourceUsage()
        guard let f = fopen("/proc/self/status", "r") else { return usage }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), f) != nil {
            let text = String(cString: line)
            func kib(_ key: String) -> UInt64? {
                guard text.hasPrefix(key) else { return nil }
                let digits = text.dropFirst(key.count).filter { $0.isNumber }
                return UInt64(digits).map { $0 * 1024 }
            }
            if let v = kib("VmHWM:") { usage.peakResidentBytes = v }
            if let v = kib("RssAnon:") { usage.anonymousResidentBytes = v }
            if let v = kib("RssFile:") { usage.fileResidentBytes = v }
        }
        return usage
    }
}

/// Monotonic wall clock, for the statistics printed at the end of a command.
public struct Stopwatch: Sendable {
    private let start: UInt64

    public init() { start = Stopwatch.now() }

    /// Seconds since `init`.
    public var elapsed: Double { Double(Stopwatch.now() - start) / 1e9 }

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
