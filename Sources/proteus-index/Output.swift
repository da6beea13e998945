import ProteusIndex
#if canImport(Glibc)
import Glibc
#endif

/// Raw bytes to standard output (decoded text may hold any bytes tiktoken can produce).
enum StandardOutput {
    static func write(_ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty else { return }
        // A closed or failing standard output ends the write; the exit status reports nothing more.
        _ = bytes.withUnsafeBytes { SystemCall.writeAll(1, $0) }
    }
}

/// Where a byte sequence can be cut without splitting a UTF-8 character.
enum UTF8Boundary {
    /// Length of the longest prefix that does not end inside a multi-byte character.
    static func lastCompletePrefix(_ bytes: [UInt8]) -> Int {
        var i = bytes.count
        var back = 0
        while i > 0 && back < 4 {
            let b = bytes[i - 1]
            if b & 0xC0 != 0x80 {
                let need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
                return back + 1 >= need ? bytes.count : i - 1
            }
            i -= 1
            back += 1
        }
        return bytes.count
    }
}

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
