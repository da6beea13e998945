#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open, read-only file descriptor. All reads go through `pread` so one file can be
/// read from several threads at different offsets; EINTR and short reads are handled here
/// and nowhere else.
public final class SystemFile: @unchecked Sendable {
    /// The path as the user gave it, for error messages.
    public let path: String
    public let descriptor: Int32
    /// Size in bytes at open time.
    public let size: UInt64
    /// Modification time at open time (seconds and nanoseconds since the epoch).
    public let modificationTime: (seconds: Int64, nanoseconds: Int64)
    /// Device and inode, to tell whether two paths are the same file.
    public let identity: FileIdentity

    /// Opens `path` for reading. Refuses directories and anything that is not a regular file
    /// unless `allowNonRegular` (pipes, character devices such as /dev/stdin). `displayName`
    /// is what messages call the file when `path` is not what the user typed.
    public init(openForReading path: String, displayName: String? = nil, allowNonRegular: Bool = false) throws {
        self.path = displayName ?? path
        let fd = SystemCall.retrying { open(path, O_RDONLY | O_CLOEXEC) }
        if fd < 0 {
            let code = errno
            throw ProteusError.system("cannot open", path: displayName ?? path, errno: code,
                                      kind: code == ENOENT || code == EACCES || code == ENOTDIR ? .noInput : .ioError)
        }
        var st = stat()
        if fstat(fd, &st) != 0 {
            let code = errno
            close(fd)
            throw ProteusError.system("cannot stat", path: displayName ?? path, errno: code)
        }
        let fileType = st.st_mode & S_IFMT
        if fileType == S_IFDIR {
            close(fd)
            throw ProteusError(.noInput, path: displayName ?? path, "is a directory, expected a file")
        }
        if fileType != S_IFREG && !allowNonRegular {
            close(fd)
            throw ProteusError(.noInput, path: displayName ?? path, "is not a regular file")
        }
        self.descriptor = fd
        self.size = UInt64(st.st_size)
        #if canImport(Darwin)
        self.modificationTime = (Int64(st.st_mtimespec.tv_sec), Int64(st.st_mtimespec.tv_nsec))
        #else
        self.modificationTime = (Int64(st.st_mtim.tv_sec), Int64(st.st_mtim.tv_nsec))
        #endif
        self.identity = FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    deinit { close(descriptor) }

    /// True when `path` names a pipe or FIFO (`<(command)` in a shell gives /dev/fd/N, a pipe):
    /// such inputs are read once as a stream, like standard input, since they cannot be
    /// mapped or read twice.
    public static func isPipe(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFIFO
    }

    /// True for `-` (standard input) and pipes: inputs read once, as a stream.
    public static func isStream(_ path: String) -> Bool { path == "-" || isPipe(path) }

    /// Reads exactly `buffer.count` bytes at `offset`, or throws naming the offset when the
    /// file ends first (a file truncated underneath us reads as a clear error, never garbage).
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws {
        var done = 0
        while done < buffer.count {
            let n = SystemCall.retrying { pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done)) }
            if n < 0 {
                throw ProteusError.system("read failed at byte \(offset + UInt64(done))", path: path, errno: errno)
            }
            if n == 0 {
                throw ProteusError.corrupt(path, at: offset + UInt64(done),
                                           "unexpected end of file (wanted \(buffer.count - done) more bytes)")
            }
            done += n
        }
    }

    /// Reads `count` bytes at `offset` into a new array (for headers and tables, not token data).
    public func readBytes(at offset: UInt64, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        if count > 0 {
            try bytes.withUnsafeMutableBytes { try read(into: $0, at: offset) }
        }
        return bytes
    }
}

/// Device and inode of a file: the identity that survives different spellings of a path.
public struct FileIdentity: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64

    /// The identity of the file at `path` (following symlinks), or nil when there is none.
    public static func of(path: String) -> FileIdentity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }
}

/// The one place where system calls interrupted by a signal (EINTR) are retried and partial
/// writes are completed; every other file of the project calls through here.
public enum SystemCall {
    /// Calls `body` again while it fails with EINTR; returns its last result (negative with
    /// `errno` set on any other failure).
    @inline(__always)
    public static func retrying<T: BinaryInteger>(_ body: () -> T) -> T {
        while true {
            let result = body()
            if result >= 0 || errno != EINTR { return result }
        }
    }

    /// Writes every byte of `bytes` to `descriptor` (with `pwrite` at `offset` when given);
    /// returns nil when done, or the errno of the write that failed.
    public static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: UInt64? = nil) -> Int32? {
        var done = 0
        while done < bytes.count {
            let n = retrying { () -> Int in
                if let offset {
                    return pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
                }
                return write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            }
            if n < 0 { return errno }
            done += n
        }
        return nil
    }
}

extension SystemFile {
    /// The UTF-8 text of a small file (focus texts).
    public static func text(path: String) throws -> String {
        let file = try SystemFile(openForReading: path)
        return String(decoding: try file.readBytes(at: 0, count: Int(file.size)), as: UTF8.self)
    }
}
