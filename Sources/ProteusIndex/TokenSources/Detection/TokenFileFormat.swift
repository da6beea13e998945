/// The token-file formats the indexer reads, as decided by `TokenFormatDetection`.
public enum TokenFileFormat: Equatable, Sendable, CustomStringConvertible {
    /// proteus's own container (starts with a skippable frame holding "PTOK").
    case tok
    /// Headerless u16 tokens (nanoGPT `train.bin`, `.u16`).
    case rawU16
    /// Headerless u32 tokens (`.u32`).
    case rawU32
    /// llm.c shard; `version` is 1 (u16) or 7 (u32), or nil when forced by `--format llmc`
    /// (the shard reader then checks the header itself).
    case llmc(version: Int32?)
    /// Megatron `.bin` + `.idx` pair, named by its prefix (no extension).
    case megatron(prefix: String)

    /// The `--format` spelling (with the llm.c version when known).
    public var description: String {
        switch self {
        case .tok: return "tok"
        case .rawU16: return "raw-u16"
        case .rawU32: return "raw-u32"
        case .llmc(let v): return v.map { "llm.c-v\($0)" } ?? "llmc"
        case .megatron: return "megatron"
        }
    }
}

/// The names `--format` accepts.
public enum TokenFormatName: String, CaseIterable, Sendable {
    case tok
    case rawU16 = "raw-u16"
    case rawU32 = "raw-u32"
    case llmc
    case megatron

    /// Parses a `--format` value, or throws a usage error listing the accepted names.
    public init(parsing text: String) throws {
        guard let value = TokenFormatName(rawValue: text.lowercased()) else {
            let names = TokenFormatName.allCases.map(\.rawValue).joined(separator: ", ")
            throw ProteusError(.usage, "unknown format '\(text)'; expected one of: \(names)")
        }
        self = value
    }

    /// The format this name forces for `path` (no sniffing: the user said so).
    public func format(for path: String) -> TokenFileFormat {
        switch self {
        case .tok: return .tok
        case .rawU16: return .rawU16
        case .rawU32: return .rawU32
        case .llmc: return .llmc(version: nil)
        case .megatron: return .megatron(prefix: MegatronDataset.prefix(of: path))
        }
    }
}

extension TokenWidth {
    /// Parses a `--dtype` value ("u16", "uint16", "u32", "uint32"), or throws a usage error.
    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "u16", "uint16": self = .u16
        case "u32", "uint32": self = .u32
        default: throw ProteusError(.usage, "unknown dtype '\(text)'; expected u16 or u32")
        }
    }
}
