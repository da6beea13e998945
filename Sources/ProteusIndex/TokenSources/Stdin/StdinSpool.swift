#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension StdinTokenReader {
    /// Copies the whole stream into a temporary compressed `.tok` (zstd at a fast level) in
    /// `folder` ($TMPDIR, else /tmp) with bounded memory, and opens it for random access.
    /// The file is unlinked before the first byte is written, so nothing is left behind, even
    /// when the process is killed. The result reports its name as this reader's ("-").
    public func spool(folder: String? = nil, codec: TokCodec = .zstd, level: Int32 = 1,
                      tokenizer: TokenizerIdentity? = nil, frameTokens: Int = TokWriter.defaultFrameTokens,
                      options: TokFile.Options = TokFile.Options()) throws -> TokFile {
        let spool = try UnlinkedTemporaryFile(folder: folder, name: name,
                                              holding: "the stream")
        let writer = try TokWriter(output: spool, path: name, codec: codec, width: storedWidth, tokenizer: tokenizer,
                                   frameTokens: frameTokens, level: level)
        try writer.beginDocument(name: name)
        let chunk = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: 1 << 16)
        defer { chunk.deallocate() }
        while true {
            let n = try read(into: chunk)
            if n == 0 { break }
            try writer.append(UnsafeBufferPointer(rebasing: chunk[0..<n]))
        }
        try writer.finish()
        // The spool has no name any more; /proc/self/fd reopens it as an ordinary read-only file.
        let file = try spool.reopenForReading()
        return try TokFile(file: file, name: name, options: options)
    }
}
