/// A headerless token file: nanoGPT's `train.bin` (u16) or a plain u32 dump.
///
/// The width comes from the caller (`--dtype`) or from the extension: `.u16`, `.u32`, and
/// `.bin` (nanoGPT's u16, unless the file starts with an llm.c header, which is refused so
/// the header is never read as tokens).
public final class RawTokenFile: TokenSource {
    public let name: String
    public let storedWidth: TokenWidth
    public let documents: DocumentTable
    public var tokenizer: TokenizerIdentity? { nil }
    public var formatName: String { storedWidth == .u16 ? "raw-u16" : "raw-u32" }
    public var tokenCount: UInt64 { layout.tokenCount }
    /// True when tokens are read from a memory map, false when through `pread`.
    public var isMapped: Bool { layout.map != nil }
    let layout: TokenFileLayout

    /// Opens `path`. `width` nil means "from the extension". `forcePread` skips the memory
    /// map (the map is also skipped silently when the kernel refuses it).
    public init(path: String, width: TokenWidth? = nil, forcePread: Bool = false) throws {
        let file = try SystemFile(openForReading: path)
        let resolved = try width ?? RawTokenFile.width(fromExtensionOf: path, file: file)
        guard file.size > 0 else { throw ProteusError.corrupt(path, "file is empty") }
        let w = UInt64(resolved.byteCount)
        guard file.size % w == 0 else {
            throw ProteusError.corrupt(path, "size \(file.size) is not a multiple of \(w) (\(resolved) tokens)")
        }
        self.name = path
        self.storedWidth = resolved
        self.layout = TokenFileLayout(file: file, element: resolved == .u16 ? .u16 : .u32,
                                      segments: [TokenSegment(byteOffset: 0, tokenCount: file.size / w)],
                                      forcePread: forcePread)
        self.documents = DocumentTable(single: path, tokenCount: file.size / w)
    }

    public func makeCursor() throws -> TokenCursor { TokenFileCursor(layout) }

    /// `.u16`/`.bin` → u16, `.u32` → u32; anything else needs `--dtype`.
    static func width(fromExtensionOf path: String, file: SystemFile) throws -> TokenWidth {
        switch PathParts.pathExtension(path).lowercased() {
        case "u16": return .u16
        case "u32": return .u32
        case "bin":
            if file.size >= 4, let magic = LLMCShard.Header.magic(of: try file.readBytes(at: 0, count: 4)) {
                throw ProteusError(.dataError, path: path,
                                   "starts with an llm.c header (magic \(magic)); read it as an llm.c shard (--format llmc)")
            }
            return .u16
        case let ext:
            let shown = ext.isEmpty ? "no extension" : "extension '.\(ext)'"
            throw ProteusError(.usage, path: path, "cannot tell the token width from \(shown); pass --dtype u16 or --dtype u32")
        }
    }
}

/// Foundation-free path helpers.
enum PathParts {
    /// The text after the last dot of the last path component ("" when there is none).
    static func pathExtension(_ path: String) -> String {
        let last = lastComponent(path)
        guard let dot = last.lastIndex(of: "."), dot != last.startIndex else { return "" }
        return String(last[last.index(after: dot)...])
    }

    static func lastComponent(_ path: String) -> Substring {
        if let slash = path.lastIndex(of: "/") { return path[path.index(after: slash)...] }
        return Substring(path)
    }

    /// `path` without its extension ("data/x.bin" → "data/x").
    static func deletingExtension(_ path: String) -> String {
        let ext = pathExtension(path)
        return ext.isEmpty ? path : String(path.dropLast(ext.count + 1))
    }
}
