/// Copies any token source into a `.tok` container or a raw `.u16`/`.u32` file, window by
/// window, keeping document boundaries (in `.tok` outputs) and refusing ids that do not fit
/// the output width.
public struct FormatConverter {
    public struct Options: Sendable {
        public var codec: TokCodec = .zstd
        public var level: Int32 = 3
        public var frameTokens = TokWriter.defaultFrameTokens
        /// Output width; nil keeps the input's.
        public var width: TokenWidth?
        public init() {}
    }

    public let options: Options

    public init(options: Options = Options()) { self.options = options }

    /// Writes `input` to `output`; the output format follows its extension.
    public func convert(_ input: OpenedInput, to output: String,
                        progress: ((UInt64, UInt64) -> Void)? = nil) throws {
        let source = input.source
        let width = options.width ?? source.storedWidth
        let lower = output.lowercased()
        let cursor = try source.makeCursor()
        let total = source.tokenCount
        let step = 1 << 16
        if lower.hasSuffix(".u16") || lower.hasSuffix(".u32") || lower.hasSuffix(".bin") {
            let rawWidth: TokenWidth = lower.hasSuffix(".u32") ? .u32 : .u16
            let out = try AtomicOutputFile(path: output, inputs: input.identities)
            var position: UInt64 = 0
            var narrow = [UInt16](repeating: 0, count: step)
            while position < total {
                let tokens = try cursor.read(start: position, count: step)
                if rawWidth == .u32 {
                    try out.write(UnsafeRawBufferPointer(tokens))
                } else {
                    for (i, t) in tokens.enumerated() {
                        guard t <= UInt32(UInt16.max) else {
                            throw ProteusError(.dataError, path: source.name,
                                               "token \(t) at position \(position + UInt64(i)) does not fit in u16; convert to .u32 or .tok")
                        }
                        narrow[i] = UInt16(t)
                    }
                    try narrow.withUnsafeBytes { try out.write(UnsafeRawBufferPointer(rebasing: $0[0..<tokens.count * 2])) }
                }
                position += UInt64(tokens.count)
                cursor.release(before: position)
                progress?(position, total)
            }
            try out.commit()
            return
        }
        let writer = try TokWriter(path: output, codec: options.codec, width: width, tokenizer: source.tokenizer,
                                   frameTokens: options.frameTokens, level: options.level, inputs: input.identities)
        try source.documents.forEachDocument { _, start, length, name in
            try writer.beginDocument(name: String(decoding: name, as: UTF8.self))
            var position = start
            let end = start + length
            while position < end {
                let tokens = try cursor.read(start: position, count: Int(min(UInt64(step), end - position)))
                try writer.append(tokens)
                position += UInt64(tokens.count)
                cursor.release(before: position)
                progress?(position, total)
            }
        }
        try writer.finish()
    }
}
