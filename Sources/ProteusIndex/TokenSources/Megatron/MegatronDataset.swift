/// A Megatron-LM / NeMo indexed dataset: `PREFIX.bin` (token arrays back to back) and
/// `PREFIX.idx` (where each sequence is and how sequences group into documents).
///
/// The token stream is the concatenation of the sequences in index order; each Megatron
/// document becomes one entry of `documents`, named `PREFIX.bin#<document>`.
public final class MegatronDataset: TokenSource {
    public let name: String
    /// Path of the `.bin` data file.
    public let binPath: String
    /// Path of the `.idx` index file.
    public let idxPath: String
    public let documents: DocumentTable
    public let storedWidth: TokenWidth
    /// The dtype name recorded in the index ("uint16", "int32", "uint8").
    public let dtypeName: String
    /// Number of Megatron sequences (several may make up one document).
    public let sequenceCount: Int
    public var tokenizer: TokenizerIdentity? { nil }
    public var formatName: String { "megatron" }
    public var tokenCount: UInt64 { layout.tokenCount }
    /// True when tokens are read from a memory map, false when through `pread`.
    public var isMapped: Bool { layout.map != nil }
    let layout: TokenFileLayout

    /// Opens a dataset given its prefix, its `.bin` or its `.idx` path.
    public init(path: String, forcePread: Bool = false) throws {
        let prefix = MegatronDataset.prefix(of: path)
        binPath = prefix + ".bin"
        idxPath = prefix + ".idx"
        name = path
        let bin = try SystemFile(openForReading: binPath)
        let idx = try SystemFile(openForReading: idxPath)
        let index = try MegatronDataset.parseIndex(idx, binPath: binPath, binSize: bin.size)
        dtypeName = index.dtype.name
        storedWidth = index.element.tokenWidth
        sequenceCount = index.sequenceCount
        documents = DocumentTable(index.documents)
        layout = TokenFileLayout(file: bin, element: index.element, segments: index.segments, forcePread: forcePread)
    }

    public func makeCursor() throws -> TokenCursor { TokenFileCursor(layout) }

    /// "x.bin" / "x.idx" → "x"; anything else is already a prefix.
    static func prefix(of path: String) -> String {
        let ext = PathParts.pathExtension(path)
        return ext == "bin" || ext == "idx" ? PathParts.deletingExtension(path) : path
    }

    /// Maps the index and parses it (a file that cannot be mapped is copied to a temporary
    /// file that is). The documents are read in place from these bytes for as long as the
    /// dataset lives; the pages the checking pass read are handed back (they stay in the page
    /// cache).
    private static func parseIndex(_ idx: SystemFile, binPath: String, binSize: UInt64) throws -> MegatronIndex {
        let map = idx.size > 0 ? try? MappedFile(idx) : nil
        let bytes = try PinnedBytes(idx, map: map, offset: 0, count: Int(idx.size), contents: "the Megatron index")
        let index = try MegatronIndex(bytes, path: idx.path, binPath: binPath, binSize: binSize)
        bytes.releasePages()
        return index
    }
}
