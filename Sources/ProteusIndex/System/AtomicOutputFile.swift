#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output file that appears whole or not at all (tantivy's atomic write): bytes go to a
/// temporary file in the destination's folder, which is fsynced and renamed over the
/// destination by `commit()`. Until then any earlier file at the destination is untouched.
///
/// Temporary files are registered with `TemporaryFiles` so Ctrl-C removes them, and carry
/// the writer's pid so a later run can remove those left by a killed process.
public final class AtomicOutputFile {
    public let path: String
    public let temporaryPath: String
    private var descriptor: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    private var buffered = 0
    /// Bytes written so far (buffered or not): the offset of the next byte.
    public private(set) var offset: UInt64 = 0
    private var finished = false

    /// Creates the temporary file beside `path`. Refuses when `path` is one of `inputs`
    /// (same device and inode), so an output can never overwrite what is being read.
    public init(path: String, inputs: [FileIdentity] = [], bufferSize: Int = 1 << 20) throws {
        self.path = path
        try AtomicOutputFile.refuseInput(path, inputs: inputs)
        var st = stat()
        if lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR {
            throw ProteusError(.cannotCreate, path: path, "is a directory, expected an output file path")
        }
        let (folder, name) = AtomicOutputFile.split(path)
        TemporaryFiles.removeStale(in: folder, for: name)
        self.temporaryPath = folder + "/." + name + ".proteus-tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // Registered before it exists, so a Ctrl-C between open() and registration cannot
        // leave it behind (unlinking a name not yet created is harmless).
        TemporaryFiles.register(temporaryPath)
        var fd: Int32
        repeat { fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) } while fd < 0 && errno == EINTR
        if fd < 0 {
            let code = errno
            TemporaryFiles.unregister(temporaryPath)
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
            try writeFully(bytes)
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
        try bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = pwrite(descriptor, raw.baseAddress! + done, raw.count - done, off_t(position) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ProteusError.system("write failed", path: path, errno: errno)
                }
                done += n
            }
        }
    }

    /// Flushes, fsyncs and renames the temporary file over `path`, then fsyncs the folder so
    /// the rename itself survives a power cut.
    public func commit() throws {
        precondition(!finished, "commit after finish")
        do {
            try flushBuffer()
            if fsync(descriptor) != 0 { throw ProteusError.system("fsync failed", path: path, errno: errno) }
            close(descriptor)
            descriptor = -1
            if rename(temporaryPath, path) != 0 {
                throw ProteusError.system("cannot rename into place", path: path, errno: errno, kind: .cannotCreate)
            }
        } catch {
            discard()
            throw error
        }
        finished = true
        TemporaryFiles.unregister(temporaryPath)
        let folder = AtomicOutputFile.split(path).folder
        let dirfd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 { _ = fsync(dirfd); close(dirfd) }
    }

    /// Removes the temporary file; the destination keeps whatever it had before.
    public func discard() {
        if descriptor >= 0 { close(descriptor); descriptor = -1 }
        unlink(temporaryPath)
        TemporaryFiles.unregister(temporaryPath)
        finished = true
    }

    private func flushBuffer() throws {
        guard buffered > 0 else { return }
        try writeFully(UnsafeRawBufferPointer(start: buffer.baseAddress!, count: buffered))
        buffered = 0
    }

    private func writeFully(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                throw ProteusError.system(code == ENOSPC ? "disk full while writing" : "write failed",
                                          path: path, errno: code)
            }
            done += n
        }
    }

    /// Refuses `path` when it is (or links to) one of `inputs`, so an output can never
    /// overwrite what is being read. Commands call it before long work, to fail early.
    public static func refuseInput(_ path: String, inputs: [FileIdentity]) throws {
        if let existing = FileIdentity.of(path: path), inputs.contains(existing) {
            throw ProteusError(.cannotCreate, path: path, "output path is also an input; choose another output")
        }
    }

    static func split(_ path: String) -> (folder: String, name: String) {
        if let slash = path.lastIndex(of: "/") {
            let folder = String(path[..<slash])
            return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
        }
        return (".", path)
    }
}
