import ProteusIndex
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on standard error, drawn only when stderr is a terminal, at most
/// ten times a second: done/total, rate and ETA.
final class ProgressBar {
    private let label: String
    private let unit: String
    private let enabled: Bool
    private let watch = Stopwatch()
    private var lastDraw = -1.0
    private var drawn = false

    init(label: String, unit: String, enabled: Bool) {
        self.label = label
        self.unit = unit
        self.enabled = enabled && isatty(2) != 0
    }

    func update(done: UInt64, total: UInt64) {
        guard enabled else { return }
        let now = watch.elapsed
        guard now - lastDraw >= 0.1 || done == total else { return }
        lastDraw = now
        let fraction = total > 0 ? min(Double(done) / Double(total), 1) : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let rate = Double(done) / max(now, 1e-9)
        let eta = rate > 0 && total > done ? Double(total - done) / rate : 0
        let line = "\r\(label) \(bar) \(Int(fraction * 100))% \(Format.count(done))/\(Format.count(total))\(unit) \(Format.rate(rate, unit: unit)) ETA \(Format.seconds(eta))  "
        fputs(line, stderr)
        drawn = true
    }

    func finish() {
        if drawn { fputs("\r\u{1B}[2K", stderr) }
    }

    /// Erases the bar so a message can take the line; the next update draws it again.
    func clear() {
        finish()
        drawn = false
        lastDraw = -1
    }
}

/// Human-readable numbers for messages.
enum Format {
    static func seconds(_ s: Double) -> String {
        if s < 1 { return "\(Int((s * 1000).rounded())) ms" }
        if s < 120 { return String(Double(Int(s * 100)) / 100) + " s" }
        return "\(Int(s) / 60) min \(Int(s) % 60) s"
    }

    static func count(_ n: UInt64) -> String {
        let v = Double(n)
        if v >= 1e9 { return String(Double(Int(v / 1e7)) / 100) + "G" }
        if v >= 1e6 { return String(Double(Int(v / 1e4)) / 100) + "M" }
        if v >= 1e3 { return String(Double(Int(v / 10)) / 100) + "k" }
        return String(n)
    }

    static func rate(_ perSecond: Double, unit: String) -> String {
        count(UInt64(max(perSecond, 0))) + unit + "/s"
    }
}
