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
