#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decides how to read a token file from its first bytes and its name, and refuses, with
/// the command that fixes it, the inputs people commonly pass by mistake: a plain zstd or
/// lz4 stream, a gzip stream, an image, one of our own indexes, a text file, a file of
/// unknown width.
///
/// Order: a `.tok` header wins (it is unambiguous); then text, before any extension is
/// trusted (a text file renamed `.bin` is not u16 tokens); then the user's explicit width
/// (`.u16`/`.u32`), Megatron pairs, llm.c magic, compression and other known magic
/// (`FileSniffer`), and `.bin` as nanoGPT u16.
public enum TokenFormatDetection {
    /// Bytes sniffed from the start of a file.
    static let sniffLength = 4096

    /// The format of `path` (a file, a Megatron `.bin`/`.idx`, or a Megatron prefix).
    public static func detect(path: String) throws -> TokenFileFormat {
        if !exists(path), exists(path + ".bin"), exists(path + ".idx") { return .megatron(prefix: path) }
        let ext = PathParts.pathExtension(path).lowercased()
        if ext == "idx" { return .megatron(prefix: PathParts.deletingExtension(path)) }
        let file = try SystemFile(openForReading: path)
        guard file.size > 0 else { throw ProteusError(.dataError, path: path, "file is empty") }
        let head = try file.readBytes(at: 0, count: Int(min(file.size, UInt64(sniffLength))))
        let magic = head.count >= 4 ? littleEndianUInt32(head, at: 0) : nil
        let skippable = magic.map(FrameMagic.isSkippable) ?? false
        if skippable, head.count >= 12, Array(head[8..<12]) == Array("PTOK".utf8) { return .tok }
        if FileSniffer.looksLikeText(head, truncated: file.size > UInt64(head.count)) {
            if ["bin", "u16", "u32"].contains(ext) {
                throw ProteusError(.dataError, path: path,
                                   "looks like text, not .\(ext) tokens; tokenize it with `proteus-index encode` (or pass --dtype if it does hold tokens)")
            }
            throw ProteusError(.dataError, path: path, "looks like text; tokenize it with `proteus-index encode`")
        }
        switch ext {
        case "u16": return .rawU16
        case "u32": return .rawU32
        default: break
        }
        if ext == "bin", exists(PathParts.deletingExtension(path) + ".idx") {
            return .megatron(prefix: PathParts.deletingExtension(path))
        }
        if let llmc = LLMCShard.Header.magic(of: head) {
            return .llmc(version: llmc == LLMCShard.Header.magicV1 ? 1 : 7)
        }
        if magic == FrameMagic.zstd || skippable {
            throw ProteusError(.dataError, path: path,
                               "is a plain zstd stream, not a .tok file; convert it with `proteus-index convert`")
        }
        if magic == FrameMagic.lz4 || magic == FrameMagic.lz4Legacy {
            throw ProteusError(.dataError, path: path,
                               "is a plain lz4 stream, not a .tok file; convert it with `proteus-index convert`")
        }
        if let kind = FileSniffer.kind(head) {
            throw ProteusError(.dataError, path: path, "is \(kind.name), not a token file" + (kind.hint.map { "; \($0)" } ?? ""))
        }
        if ext == "bin" { return .rawU16 }
        let shown = ext.isEmpty ? "no extension" : "extension '.\(ext)'"
        throw ProteusError(.usage, path: path,
                           "cannot tell the token format (\(shown), no known magic bytes); pass --format (tok, raw-u16, raw-u32, llmc, megatron) or --dtype u16/u32")
    }

    /// The format `override` (`--format`) forces; else raw tokens of width `dtype` (`--dtype`)
    /// when given; else the detected format. A `.tok` header still wins over `--dtype`,
    /// since its width is recorded in the file.
    public static func detect(path: String, override: TokenFormatName?, dtype: TokenWidth? = nil) throws -> TokenFileFormat {
        if let override { return override.format(for: path) }
        if let dtype {
            if (try? detect(path: path)) == .tok { return .tok }
            return dtype == .u16 ? .rawU16 : .rawU32
        }
        return try detect(path: path)
    }

    /// Opens `path` as `format` with this module's readers. Returns nil for `.tok`, which
    /// the container reader opens.
    public static func open(path: String, format: TokenFileFormat, forcePread: Bool = false) throws -> TokenSource? {
        switch format {
        case .tok: return nil
        case .rawU16: return try RawTokenFile(path: path, width: .u16, forcePread: forcePread)
        case .rawU32: return try RawTokenFile(path: path, width: .u32, forcePread: forcePread)
        case .llmc: return try LLMCShard(path: path, forcePread: forcePread)
        case .megatron(let prefix): return try MegatronDataset(path: prefix, forcePread: forcePread)
        }
    }

    /// Expands the inputs of a command: folders become their files (`DirectoryWalker`,
    /// with `walk`), and a Megatron `.idx` found in a folder is dropped when its `.bin` is
    /// there too, so each dataset is read once.
    public static func inputFiles(_ paths: [String], walk: WalkOptions = WalkOptions()) throws -> [String] {
        let expanded = try DirectoryWalker.expand(paths, options: walk)
        let walked = Set(expanded.filter(\.walked).map(\.path))
        return expanded.filter { input in
            !(input.walked && PathParts.pathExtension(input.path) == "idx"
              && walked.contains(PathParts.deletingExtension(input.path) + ".bin"))
        }.map(\.path)
    }

    private static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFREG
    }

    private static func littleEndianUInt32(_ b: [UInt8], at i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
}
