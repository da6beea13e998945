#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An anonymous temporary file: created in a folder and unlinked at once, so it vanishes
/// when the process ends however it ends (even SIGKILL), while the descriptor keeps it alive.
final class UnlinkedTemporaryFile: TokOutput {
    let descriptor: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    private var buffered = 0
    private(set) var offset: UInt64 = 0
    private let name: String

    init(folder: String, name: String) throws {
        self.name = name
        descriptor = try TemporaryFiles.anonymous(in: folder, to: "hold the stream", path: name)
        buffer = .allocate(byteCount: 1 << 20, alignment: 64)
    }

    deinit {
        buffer.deallocate()
        close(descriptor)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffered + bytes.count > buffer.count { try flush() }
        if bytes.count >= buffer.count {
            try writeFully(bytes.baseAddress!, bytes.count, at: offset)
        } else {
            (buffer.baseAddress! + buffered).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
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

    private func flush() throws {
        guard buffered > 0 else { return }
        try writeFully(buffer.baseAddress!, buffered, at: offset - UInt64(buffered))
        buffered = 0
    }

    private func writeFully(_ p: UnsafeRawPointer, _ count: Int, at position: UInt64) throws {
        var done = 0
        while done < count {
            let n = pwrite(descriptor, p + done, count - done, off_t(position) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                throw ProteusError.system(code == ENOSPC ? "disk full while spooling the stream to a temporary file"
                                                         : "cannot write the temporary spool file", path: name, errno: code)
            }
            done += n
        }
    }
}

extension StdinTokenReader {
    /// Copies the whole stream into a temporary compressed `.tok` (zstd at a fast level) in
    /// `folder` ($TMPDIR, else /tmp) with bounded memory, and opens it for random access.
    /// The file is unlinked before the first byte is written, so nothing is left behind, even
    /// when the process is killed. The result reports its name as this reader's ("-").
    public func spool(folder: String? = nil, codec: TokCodec = .zstd, level: Int32 = 1,
                      tokenizer: TokenizerIdentity? = nil, frameTokens: Int = 65_536,
                      options: TokFile.Options = TokFile.Options()) throws -> TokFile {
        let spool = try UnlinkedTemporaryFile(folder: folder ?? TemporaryFiles.folder, name: name)
        let writer = try TokWriter(output: spool, path: name, codec: codec, width: storedWidth, tokenizer: tokenizer,
                                   frameTokens: frameTokens, level: level)
        writer.beginDocument(name: name)
        let chunk = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: 1 << 16)
        defer { chunk.deallocate() }
        while true {
            let n = try read(into: chunk)
            if n == 0 { break }
            try writer.append(UnsafeBufferPointer(rebasing: chunk[0..<n]))
        }
        try writer.finish()
        // The spool has no name any more; /proc/self/fd reopens it as an ordinary read-only file.
        let file = try SystemFile(openForReading: "/proc/self/fd/\(spool.descriptor)")
        return try TokFile(file: file, name: name, options: options)
    }
}
