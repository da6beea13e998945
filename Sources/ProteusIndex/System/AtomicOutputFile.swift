#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output file that appears whole or not at all (tantivy's atomic write): bytes go to a
/// temporary file in the destination's folder, which is fsynced and renamed over the
/// destination by `commit()`. Until then any earlier file at the destination is untouched.
///
/// A character device or FIFO (`-o /dev/null`, `-o /dev/stdout`) is never replaced
/// (`OutputDestination`): the bytes go to an unlinked temporary file instead, and `commit()`
/// copies them to the device. Headers are patched after the body, so nothing can be
/// streamed earlier, and a failed run writes nothing to the device.
///
/// Temporary files are registered with `TemporaryFiles` so Ctrl-C removes them, and carry
/// the writer's pid so a later run can remove those left by a killed process.
public final class AtomicOutputFile {
    public let path: String
    /// The file renamed over `path` by `commit()`; nil when `path` is written through.
    public let temporaryPath: String?
    private var descriptor: Int32
    /// The device or FIFO written through at commit, or -1.
    private var device: Int32 = -1
    private var buffer: UnsafeMutableRawBufferPointer
    private var buffered = 0
    /// Bytes written so far (buffered or not): the offset of the next byte.
    public private(set) var offset: UInt64 = 0
    private var finished = false

    /// Creates the temporary file beside `path` (or the spool of a device). Refuses what
    /// `OutputDestination` refuses: an output that is one of `inputs` (same device and
    /// inode), a directory, a socket, a block device.
    public init(path: String, inputs: [FileIdentity] = [], bufferSize: Int = 1 << 20) throws {
        self.path = path
        if try OutputDestination.kind(of: path, inputs: inputs) == .writtenThrough {
            temporaryPath = nil
            descriptor = try TemporaryFiles.anonymous(to: "assemble the output", path: path)
            // O_APPEND: after `>>` the shell's file keeps what it held (devices ignore it).
            let fd = SystemCall.retrying { open(path, O_WRONLY | O_APPEND | O_CLOEXEC) }
            if fd < 0 {
                let code = errno
                close(descriptor)
                throw ProteusError.system("cannot open for writing", path: path, errno: code, kind: .cannotCreate)
            }
            device = fd
            buffer = .allocate(byteCount: bufferSize, alignment: 64)
            return
        }
        let (folder, name) = OutputDestination.split(path)
        TemporaryFiles.removeStale(in: folder, for: name)
        let temporary = folder + "/." + name + ".proteus-tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        temporaryPath = temporary
        // Registered before it exists, so a Ctrl-C between open() and registration cannot
        // leave it behind (unlinking a name not yet created is harmless).
        TemporaryFiles.register(temporary)
        let fd = SystemCall.retrying { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        if fd < 0 {
            let code = errno
            TemporaryFiles.unregister(temporary)
            throw ProteusError.system("cannot create output in '\(folder)'", path: path, errno: code, kind: .cannotCreate)
        }
        self.descriptor = fd
        self.buffer = .allocate(byteCount: bufferSize, alignment: 64)
    }

    deinit {
        if !finished { discard() }
        buffer.deallocate()
    }

    /// Appends bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        if bytes.count >= buffer.count {
            try flushBuffer()
            try writeFully(bytes, to: descriptor)
        } else {
            if buffered + bytes.count > buffer.count { try flushBuffer() }
            (buffer.baseAddress! + buffered).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            buffered += bytes.count
        }
        offset += UInt64(bytes.count)
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Appends the raw bytes of a little-endian integer.
    public func write<T: FixedWidthInteger>(integer value: T) throws {
        var le = value.littleEndian
        try withUnsafeBytes(of: &le) { try write($0) }
    }

    /// Appends zero bytes until `offset` is a multiple of `alignment`.
    public func pad(toMultipleOf alignment: Int) throws {
        let rem = Int(offset % UInt64(alignment))
        if rem != 0 { try write([UInt8](repeating: 0, count: alignment - rem)) }
    }

    /// Overwrites bytes already written at `position` (for headers patched after the body).
    public func patch(_ bytes: [UInt8], at position: UInt64) throws {
        try flushBuffer()
        if let code = bytes.withUnsafeBytes({ SystemCall.writeAll(descriptor, $0, at: position) }) {
            throw ProteusError.system("write failed", path: path, errno: code)
        }
    }

    /// Flushes, fsyncs and renames the temporary file over `path`, then fsyncs the folder so
    /// the rename itself survives a power cut. A device or FIFO gets the whole output copied.
    public func commit() throws {
        precondition(!finished, "commit after finish")
        do {
            try flushBuffer()
            if let temporaryPath {
                if fsync(descriptor) != 0 { throw ProteusError.system("fsync failed", path: path, errno: errno) }
                close(descriptor)
                descriptor = -1
                TemporaryFiles.outputsWritten.wrappingAdd(1, ordering: .relaxed)
                if rename(temporaryPath, path) != 0 {
                    throw ProteusError.system("cannot rename into place", path: path, errno: errno, kind: .cannotCreate)
                }
            } else {
                TemporaryFiles.outputsWritten.wrappingAdd(1, ordering: .relaxed)
                try copySpoolToDevice()
            }
        } catch {
            discard()
            throw error
        }
        finished = true
        guard let temporaryPath else { return }
        TemporaryFiles.unregister(temporaryPath)
        let folder = OutputDestination.split(path).folder
        let dirfd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 { _ = fsync(dirfd); close(dirfd) }
    }

    /// Removes the temporary file; the destination keeps whatever it had before.
    public func discard() {
        if descriptor >= 0 { close(descriptor); descriptor = -1 }
        if device >= 0 { close(device); device = -1 }
        if let temporaryPath {
            unlink(temporaryPath)
            TemporaryFiles.unregister(temporaryPath)
        }
        finished = true
    }

    /// Copies the assembled output to the device through the (already flushed) buffer.
    private func copySpoolToDevice() throws {
        var position: UInt64 = 0
        while position < offset {
            let want = Int(min(UInt64(buffer.count), offset - position))
            let n = SystemCall.retrying { pread(descriptor, buffer.baseAddress!, want, off_t(position)) }
            if n < 0 {
                throw ProteusError.system("cannot read back the assembled output", path: path, errno: errno)
            }
            guard n > 0 else { throw ProteusError(.ioError, path: path, "the assembled output ended early") }
            try writeFully(UnsafeRawBufferPointer(start: buffer.baseAddress!, count: n), to: device)
            position += UInt64(n)
        }
        close(device)
        device = -1
        close(descriptor)
        descriptor = -1
    }

    private func flushBuffer() throws {
        guard buffered > 0 else { return }
        try writeFully(UnsafeRawBufferPointer(start: buffer.baseAddress!, count: buffered), to: descriptor)
        buffered = 0
    }

    private func writeFully(_ bytes: UnsafeRawBufferPointer, to fd: Int32) throws {
        if let code = SystemCall.writeAll(fd, bytes) {
            throw ProteusError.system(code == ENOSPC ? "disk full while writing" : "write failed", path: path, errno: code)
        }
    }

}
