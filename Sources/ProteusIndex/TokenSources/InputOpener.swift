#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the command line asked for inputs to be read.
public struct InputOptions: Sendable {
    /// `--format`: forces a format instead of detecting it.
    public var format: TokenFormatName?
    /// `--dtype`: reads files as raw tokens of this width (a `.tok` header still wins).
    public var dtype: TokenWidth?
    /// `--stdin-format`: how standard input (`-`) and pipes given as inputs are encoded.
    public var stdinFormat: StdinTokenReader.Format = .u32
    /// Read with `pread` instead of mapping (tests and unusual filesystems).
    public var forcePread = false
    /// Tokenizer to record in a stdin spool.
    public var tokenizer: TokenizerIdentity?
    /// How folders given as inputs are walked.
    public var walk = WalkOptions()

    public init() {}
}

/// Inputs opened as one token source, with what the commands need to protect and describe them.
public struct OpenedInput {
    /// All inputs as one stream (a `ConcatenatedSource` when there are several).
    public let source: TokenSource
    /// The individual files, in stream order ("-" for standard input).
    public let files: [String]
    /// Device/inode of every input file, so no output can overwrite one.
    public let identities: [FileIdentity]
    /// Size, mtime and a content hash of each input, recorded in indexes.
    public let fingerprint: SourceFingerprint
}

/// Turns the INPUT arguments of `build`, `convert`, `inspect`, `scan` and `decode` into one
/// token source: directories are walked in sorted order, each file's format is detected (or
/// forced), `-` (standard input) and pipes are spooled to an unlinked temporary `.tok`.
public enum InputOpener {
    public static func open(_ paths: [String], options: InputOptions = InputOptions()) throws -> OpenedInput {
        guard !paths.isEmpty else { throw ProteusError(.usage, "no input given") }
        if paths.filter({ $0 == "-" }).count > 1 {
            throw ProteusError(.usage, "'-' (standard input) can be given only once")
        }
        let files = try TokenFormatDetection.inputFiles(paths, walk: options.walk)
        guard !files.isEmpty else {
            throw ProteusError(.noInput, path: paths[0], "holds no token files")
        }
        var sources: [TokenSource] = []
        var identities: [FileIdentity] = []
        var fingerprint = SourceFingerprint()
        for path in files {
            if SystemFile.isStream(path) {
                // A stream (stdin, a pipe, a FIFO) can be read only once: spool it.
                let pipe = path == "-" ? nil : try SystemFile(openForReading: path, allowNonRegular: true)
                let reader = StdinTokenReader(descriptor: pipe?.descriptor ?? 0, format: options.stdinFormat, name: path)
                let spooled = try reader.spool(tokenizer: options.tokenizer)
                sources.append(spooled)
                fingerprint.inputs.append(.init(path: path, size: spooled.tokenCount * UInt64(spooled.storedWidth.byteCount),
                                                modificationSeconds: 0, contentHash: spooled.contentHash()))
                continue
            }
            let format = try TokenFormatDetection.detect(path: path, override: options.format, dtype: options.dtype)
            let source: TokenSource
            if format == .tok {
                source = try TokFile(path: path, options: TokFile.Options(access: options.forcePread ? .pread : .automatic))
            } else {
                source = try TokenFormatDetection.open(path: path, format: format, forcePread: options.forcePread)!
            }
            sources.append(source)
            let file = try SystemFile(openForReading: dataPath(of: path, format: format))
            identities.append(file.identity)
            fingerprint.inputs.append(.init(path: absolute(path), size: file.size,
                                            modificationSeconds: file.modificationTime.seconds,
                                            contentHash: try (source as? TokFile)?.contentHash() ?? sampledHash(file)))
        }
        let source: TokenSource = sources.count == 1 ? sources[0] : ConcatenatedSource(sources, name: paths.joined(separator: " "))
        return OpenedInput(source: source, files: files, identities: identities, fingerprint: fingerprint)
    }

    /// The file holding the tokens: a Megatron prefix is read through its `.bin`.
    static func dataPath(of path: String, format: TokenFileFormat) -> String {
        if case .megatron(let prefix) = format { return prefix + ".bin" }
        return path
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        return String(cString: buffer) + "/" + path
    }

    /// XXH64 over the first and last 64 KiB and 16 evenly spaced 4 KiB blocks: cheap at any
    /// size, and changes whenever a file is replaced by another of the same size.
    static func sampledHash(_ file: SystemFile) throws -> UInt64 {
        var hasher = XXH64()
        var offsets: [(UInt64, Int)] = [(0, 65_536)]
        if file.size > 65_536 { offsets.append((file.size - 65_536, 65_536)) }
        for k in 1...16 { offsets.append((file.size / 17 * UInt64(k), 4_096)) }
        for (offset, length) in offsets {
            let n = Int(min(UInt64(length), file.size - min(offset, file.size)))
            guard n > 0 else { continue }
            let bytes = try file.readBytes(at: offset, count: n)
            bytes.withUnsafeBytes { hasher.update($0) }
        }
        var size = file.size.littleEndian
        withUnsafeBytes(of: &size) { hasher.update($0) }
        return hasher.digest()
    }
}
