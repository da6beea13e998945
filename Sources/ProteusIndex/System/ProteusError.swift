#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every failure the library reports: what went wrong, on which file, and which
/// exit status the command-line front should use for it.
///
/// `description` is the one line a user sees: `corpus.tok: frame 12 at byte 40960: checksum mismatch`.
public struct ProteusError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Broad class of failure; decides the process exit status (sysexits.h values).
    public enum Kind: Int32, Sendable {
        /// A command line that cannot work (conflicting or out-of-range options).
        case usage = 64
        /// An input that exists but is malformed, corrupt or inconsistent.
        case dataError = 65
        /// An input that is missing or cannot be opened.
        case noInput = 66
        /// An output that cannot be created (unwritable folder, output equals an input).
        case cannotCreate = 73
        /// A read or write that failed at the system level (disk full, EIO).
        case ioError = 74
        /// Interrupted by a signal before finishing.
        case interrupted = 130
    }

    public var kind: Kind
    /// The file the problem is about, as the user named it; `nil` for problems of no file.
    public var path: String?
    /// What is wrong, without the path: "frame 3 at byte 4096: checksum mismatch".
    public var message: String

    public init(_ kind: Kind, path: String? = nil, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    /// A data error located at a byte offset of `path`.
    public static func corrupt(_ path: String, at offset: UInt64? = nil, _ message: String) -> ProteusError {
        if let offset { return ProteusError(.dataError, path: path, "at byte \(offset): \(message)") }
        return ProteusError(.dataError, path: path, message)
    }

    /// An error from a system call, in swift-system's style: "Unable to map: Permission denied (errno 13)".
    public static func system(_ what: String, path: String?, errno code: Int32, kind: Kind = .ioError) -> ProteusError {
        ProteusError(kind, path: path, "\(what): \(String(cString: strerror(code))) (errno \(code))")
    }

    public var description: String {
        if let path { return "\(path): \(message)" }
        return message
    }

    /// The process exit status for this error.
    public var exitStatus: Int32 { kind.rawValue }
}
