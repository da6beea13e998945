#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns text files into a `.tok` corpus: one document per input file, encoded on all cores
/// in blocks of `blockBytes`, so memory stays bounded by the block, not the file. Files of a
/// folder that are not UTF-8 text are left out and reported (`TextInputs`), unless `strict`.
public struct TextCorpusEncoder {
    public struct Options: Sendable {
        public var codec: TokCodec = .zstd
        public var level: Int32 = 3
        public var frameTokens = TokWriter.defaultFrameTokens
        /// Encoding threads; 0 = one per core.
        public var threads = 0
        /// Bytes of text encoded per step (cut at a boundary no pre-token crosses).
        public var blockBytes = 16 << 20
        /// How folders are walked.
        public var walk = WalkOptions()
        /// Stop at the first file of a folder that is not text instead of leaving it out.
        public var strict = false
        public init() {}
    }

    public struct Summary: Sendable {
        public var documents = 0
        public var bytes: UInt64 = 0
        public var tokens: UInt64 = 0
        /// Files of folders left out, sorted by path (also recorded in the `.tok`).
        public var skipped: [SkippedFile] = []
    }

    public let tokenizer: Tokenizer
    public let options: Options

    public init(tokenizer: Tokenizer, options: Options = Options()) {
        self.tokenizer = tokenizer
        self.options = options
    }

    /// Encodes `inputs` (files, directories walked in sorted order, or "-" for standard
    /// input) into `output`; `onSkip` hears of each file left out as it happens. The output
    /// appears only when everything succeeded.
    public func encode(inputs: [String], output: String, onSkip: (SkippedFile) -> Void = { _ in },
                       progress: ((UInt64, UInt64) -> Void)? = nil) throws -> Summary {
        var texts = try TextInputs(inputs, walk: options.walk, strict: options.strict, onSkip: onSkip)
        guard !texts.texts.isEmpty else {
            throw ProteusError(.noInput, path: inputs.first, "holds no text files (\(texts.skipped.count) skipped)")
        }
        let width: TokenWidth = tokenizer.identity.vocabularySize <= 65_536 ? .u16 : .u32
        let writer = try TokWriter(path: output, codec: options.codec, width: width, tokenizer: tokenizer.identity,
                                   frameTokens: options.frameTokens, level: options.level,
                                   inputs: texts.texts.map(\.identity))
        let totalBytes = texts.texts.reduce(UInt64(0)) { $0 + $1.size }
        var summary = Summary()
        for text in texts.texts {
            if let reason = try encode(text, into: writer, summary: &summary, totalBytes: totalBytes, progress: progress) {
                texts.skip(SkippedFile(path: text.path, reason: reason), onSkip)
            }
        }
        summary.skipped = texts.skipped.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        for file in summary.skipped { writer.recordSkipped(file) }
        try writer.finish()
        return summary
    }

    /// Encodes one text as the next document. Returns why instead when the text may be
    /// skipped and fails the UTF-8 check before its first token is written.
    private func encode(_ text: TextInputs.Text, into writer: TokWriter, summary: inout Summary,
                        totalBytes: UInt64, progress: ((UInt64, UInt64) -> Void)?) throws -> String? {
        let file = try text.open()
        guard file.size > 0 else {
            try writer.beginDocument(name: text.name)
            summary.documents += 1
            return nil
        }
        let map: MappedFile
        do { map = try MappedFile(file) } catch {
            throw ProteusError(.ioError, path: text.path, "cannot map the text for encoding: \(error)")
        }
        map.advise(.sequential)
        let starts = Tokenizer.chunkStarts(map.bytes, chunkSize: options.blockBytes)
        var began = false
        do {
            // Each block is checked as it is encoded, but an error in a later block would come
            // after earlier ones are written: a skippable text of several blocks is checked first.
            if text.skippable && starts.count > 1 { try Tokenizer.checkUTF8(map.bytes) }
            for (k, start) in starts.enumerated() {
                let end = k + 1 < starts.count ? starts[k + 1] : map.bytes.count
                let block = UnsafeRawBufferPointer(rebasing: map.bytes[start..<end])
                let tokens = try tokenizer.encodeOrdinaryParallel(block, threads: options.threads, offset: start)
                if !began {
                    try writer.beginDocument(name: text.name)
                    summary.documents += 1
                    began = true
                }
                try tokens.withUnsafeBufferPointer { try writer.append($0) }
                summary.tokens += UInt64(tokens.count)
                summary.bytes += UInt64(end - start)
                map.release(0..<end)
                progress?(summary.bytes, totalBytes)
            }
        } catch var e as ProteusError where e.path == nil {
            // The tokenizer's errors name no file.
            if text.skippable && !began { return e.message }
            e.path = text.path
            throw e
        }
        return nil
    }

    /// Copies a stream (standard input, a pipe) into an unlinked temporary file so it can be
    /// mapped like any text. `name` is what messages call it.
    static func spool(descriptor input: Int32, name: String) throws -> SystemFile {
        let fd = try TemporaryFiles.anonymous(to: "hold the stream", path: name)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { b in SystemCall.retrying { read(input, b.baseAddress!, b.count) } }
            if n < 0 { throw ProteusError.system("cannot read", path: name, errno: errno) }
            if n == 0 { break }
            if let code = buffer.withUnsafeBytes({ SystemCall.writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }) {
                throw ProteusError.system("cannot spool the stream", path: name, errno: code)
            }
        }
        return try SystemFile(openForReading: "/proc/self/fd/\(fd)", displayName: name)
    }
}
