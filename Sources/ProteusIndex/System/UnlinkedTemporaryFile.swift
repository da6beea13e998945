#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An anonymous temporary file: created in a folder and unlinked at once, so it vanishes
/// when the process ends however it ends (even SIGKILL), while the descriptor keeps it alive.
/// Holds what grows with the input but must not live in memory (the stdin spool, the
/// routing tier's spilled window lists).
final class UnlinkedTemporaryFile: TokOutput {

    let descriptor: Int32
    /// Allocated at the first small write and freed when the file is read back: a build
    /// keeps one file per inversion pass open, so idle buffers would grow with the corpus.
    private var buffer: UnsafeMutableRawBufferPointer?
    private let bufferBytes: Int
    private var buffered = 0
    private(set) var offset: UInt64 = 0
    private let name: String
    /// What the file holds, for messages ("the stream", "the routing tier's window lists").
    private let contents: String

    /// A new file in `folder` (default `TemporaryFiles.folder`: $TMPDIR, else /tmp); writes
    /// below `bufferBytes` are gathered (0: every write goes straight to the file, for
    /// callers that gather their own).
    init(folder: String? = nil, name: String, holding contents: String, bufferBytes: Int = 1 << 20) throws {
        self.name = name
        self.contents = contents
        self.bufferBytes = bufferBytes
        descriptor = try TemporaryFiles.anonymous(in: folder, to: "hold \(contents)", path: name)
    }

    deinit {
        buffer?.deallocate()
        close(descriptor)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffered + bytes.count > bufferBytes { try flush() }
        if bytes.count >= bufferBytes {
            try writeFully(bytes.baseAddress!, bytes.count, at: offset)
        } else {
            if buffer == nil { buffer = .allocate(byteCount: bufferBytes, alignment: 64) }
            (buffer!.baseAddress! + buffered).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            buffered += bytes.count
        }
        offset += UInt64(bytes.count)
    }

    func patch(_ bytes: [UInt8], at position: UInt64) throws {
        try flush()
        try bytes.withUnsafeBytes { try writeFully($0.baseAddress!, $0.count, at: position) }
    }

    /// Nothing to rename or sync: the file is read back by this process and then forgotten.
    func commit() throws { try flush() }

    /// Flushes and reopens the file for reading (through /proc/self/fd: it has no name).
    func reopenForReading() throws -> SystemFile {
        try flush()
        buffer?.deallocate()
        buffer = nil
        return try SystemFile(openForReading: "/proc/self/fd/\(descriptor)", displayName: name)
    }

    private func flush() throws {
        guard buffered > 0, let buffer else { return }
        try writeFully(buffer.baseAddress!, buffered, at: offset - UInt64(buffered))
        buffered = 0
    }

    private func writeFully(_ p: UnsafeRawPointer, _ count: Int, at position: UInt64) throws {
        if let code = SystemCall.writeAll(descriptor, UnsafeRawBufferPointer(start: p, count: count), at: position) {
            throw ProteusError.system(code == ENOSPC ? "disk full while writing \(contents) to a temporary file"
                                                     : "cannot write \(contents) to a temporary file", path: name, errno: code)
        }
    }
}
