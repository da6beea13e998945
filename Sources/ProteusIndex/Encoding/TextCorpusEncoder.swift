#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns text files into a `.tok` corpus: one document per input file, encoded on all cores
/// in blocks of `blockBytes`, so memory stays bounded by the block, not the file.
public struct TextCorpusEncoder {
    public struct Options: Sendable {
        public var codec: TokCodec = .zstd
        public var level: Int32 = 3
        public var frameTokens = 65_536
        /// Encoding threads; 0 = one per core.
        public var threads = 0
        /// Bytes of text encoded per step (cut at a boundary no pre-token crosses).
        public var blockBytes = 16 << 20
        public init() {}
    }

    public struct Summary: Sendable {
        public var documents = 0
        public var bytes: UInt64 = 0
        public var tokens: UInt64 = 0
    }

    public let tokenizer: Tokenizer
    public let options: Options

    public init(tokenizer: Tokenizer, options: Options = Options()) {
        self.tokenizer = tokenizer
        self.options = options
    }

    /// Encodes `inputs` (files, directories walked in sorted order, or "-" for standard
    /// input) into `output`. The output appears only when everything succeeded.
    public func encode(inputs: [String], output: String,
                       progress: ((UInt64, UInt64) -> Void)? = nil) throws -> Summary {
        var files: [String] = []
        for p in inputs {
            if p == "-" { files.append(p); continue }
            var st = stat()
            if stat(p, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR {
                files += try DirectoryWalker.regularFiles(under: p)
            } else {
                files.append(p)
            }
        }
        guard !files.isEmpty else { throw ProteusError(.noInput, path: inputs.first, "holds no text files") }
        // Open everything first: a missing file fails before any output is created.
        var texts: [(name: String, file: SystemFile)] = []
        for path in files {
            if path == "-" {
                texts.append((path, try TextCorpusEncoder.spool(descriptor: 0, name: path)))
            } else if SystemFile.isPipe(path) {
                let pipe = try SystemFile(openForReading: path, allowNonRegular: true)
                texts.append((path, try TextCorpusEncoder.spool(descriptor: pipe.descriptor, name: path)))
            } else {
                texts.append((path, try SystemFile(openForReading: path)))
            }
        }
        let width: TokenWidth = tokenizer.identity.vocabularySize <= 65_536 ? .u16 : .u32
        let writer = try TokWriter(path: output, codec: options.codec, width: width, tokenizer: tokenizer.identity,
                                   frameTokens: options.frameTokens, level: options.level,
                                   inputs: texts.map { $0.file.identity })
        let totalBytes = texts.reduce(UInt64(0)) { $0 + $1.file.size }
        var summary = Summary()
        for (name, file) in texts {
            writer.beginDocument(name: name == "-" ? "-" : TextCorpusEncoder.documentName(name))
            summary.documents += 1
            if file.size == 0 { continue }
            let map: MappedFile
            do { map = try MappedFile(file) } catch {
                throw ProteusError(.ioError, path: name, "cannot map the text for encoding: \(error)")
            }
            map.advise(.sequential)
            let starts = Tokenizer.chunkStarts(map.bytes, chunkSize: options.blockBytes)
            for (k, start) in starts.enumerated() {
                let end = k + 1 < starts.count ? starts[k + 1] : map.bytes.count
                let block = UnsafeRawBufferPointer(rebasing: map.bytes[start..<end])
                let tokens: [UInt32]
                do {
                    tokens = try tokenizer.encodeOrdinaryParallel(block, threads: options.threads, offset: start)
                } catch var e as ProteusError {
                    e.path = name // the tokenizer's errors name no file
                    throw e
                }
                try tokens.withUnsafeBufferPointer { try writer.append($0) }
                summary.tokens += UInt64(tokens.count)
                summary.bytes += UInt64(end - start)
                map.release(0..<end)
                progress?(summary.bytes, totalBytes)
            }
        }
        try writer.finish()
        return summary
    }

    /// A document's name: the path as given, without a leading "./".
    static func documentName(_ path: String) -> String {
        path.hasPrefix("./") ? String(path.dropFirst(2)) : path
    }

    /// Copies a stream (standard input, a pipe) into an unlinked temporary file so it can be
    /// mapped like any text. `name` is what messages call it.
    static func spool(descriptor input: Int32, name: String) throws -> SystemFile {
        let fd = try TemporaryFiles.anonymous(to: "hold the stream", path: name)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = read(input, &buffer, buffer.count)
            if n < 0 { if errno == EINTR { continue }; throw ProteusError.system("cannot read", path: name, errno: errno) }
            if n == 0 { break }
            var done = 0
            while done < n {
                let w = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + done, n - done) }
                if w < 0 { if errno == EINTR { continue }; throw ProteusError.system("cannot spool the stream", path: name, errno: errno) }
                done += w
            }
        }
        return try SystemFile(openForReading: "/proc/self/fd/\(fd)", displayName: name)
    }
}
