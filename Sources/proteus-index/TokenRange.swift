import ProteusIndex

/// `--range A:B` for decode.
enum TokenRange {
    static func parse(_ text: String?, count: UInt64) throws -> (UInt64, UInt64) {
        guard let text else { return (0, count) }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let a = parts[0].isEmpty ? 0 : UInt64(parts[0]),
              let b = parts[1].isEmpty ? count : UInt64(parts[1]) else {
            throw ProteusError(.usage, "'--range' must be A:B with token positions, not '\(text)'")
        }
        guard a <= b else { throw ProteusError(.usage, "'--range' \(text): start is after end") }
        guard b <= count else {
            throw ProteusError(.usage, "'--range' \(text) ends past the last token (the file holds \(count) tokens)")
        }
        return (a, b)
    }
}
