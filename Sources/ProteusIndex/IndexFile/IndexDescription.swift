/// What `inspect index.phb [--json]` prints: everything recorded in an index, from the
/// header and the `META` section only (no array is read, so describing a large index is instant).
public struct IndexDescription {
    /// The index described.
    public let index: HeroIndex

    /// A description of an open index (nothing is read until `text` or `json` is asked for).
    public init(_ index: HeroIndex) { self.index = index }

    /// Multi-line human-readable description.
    public var text: String {
        let i = index, m = index.metadata, s = m.statistics, p = m.parameters
        var lines = [
            "\(i.path): proteus-index hero index, format version \(i.formatVersion) (readable by version \(i.oldestReaderVersion) and later), \(i.fileSize) bytes",
            "  corpus: \(s.tokens) tokens in \(i.entry(.documentStarts).count) documents, \(s.chunks) chunks\(s.keptWhole ? ", kept whole" : "")",
            "  heroes: \(i.entry(.heroTokens).count) tokens in \(i.entry(.spans).count) spans (\(s.champions) champions, \(s.evicted) evicted)",
            "  parameters: chunk \(p.chunkLength), per-chunk \(p.perChunk), top-p \(p.topP), buffer \(p.bufferTokens), span \(p.span), gates \(p.gateCount), feature dimension \(p.featureDimension), sample \(p.statisticsSampleTokens) tokens",
            "  signals: \(p.signals.joined(separator: ", ")); features from \(p.featureSource)",
        ]
        if !p.focus.isEmpty { lines.append("  focus: \(p.focus)") }
        if let t = m.tokenizer {
            lines.append("  tokenizer: \(t.name), vocabulary \(t.vocabularySize), sha256 \(t.sha256Hex)\(m.splitPattern.map { ", split pattern \($0)" } ?? "")")
        } else {
            lines.append("  tokenizer: unknown")
        }
        lines.append("  embedded tokenizer ranks: \(i.entry(.tokenizerRanks).length) bytes")
        lines.append("  dna: vocabulary \(m.vocabularySize), feature dimension \(m.featureDimension), \(m.gateCount) gates")
        for input in m.fingerprint.inputs {
            lines.append("  input: \(input.path) (\(input.size) bytes, modified \(input.modificationSeconds), hash \(hex(input.contentHash)))")
        }
        lines.append("  sections:")
        for e in i.sections {
            lines.append("    \(e.name) at byte \(e.offset): \(e.length) bytes, \(e.count) elements, xxh64 \(hex(e.checksum))")
        }
        return lines.joined(separator: "\n")
    }

    /// One JSON object with the same facts (keys in a fixed order).
    public var json: String {
        let i = index, m = index.metadata, s = m.statistics, p = m.parameters
        var tokenizer = JSON.null
        if let t = m.tokenizer {
            tokenizer = .object([("name", .string(t.name)), ("vocabulary_size", .int(Int64(t.vocabularySize))),
                                 ("sha256", .string(t.sha256Hex)), ("split_pattern", m.splitPattern.map(JSON.string) ?? .null)])
        }
        let object = JSON.object([
            ("path", .string(i.path)),
            ("kind", .string("proteus-index")),
            ("format_version", .int(Int64(i.formatVersion))),
            ("oldest_reader_version", .int(Int64(i.oldestReaderVersion))),
            ("file_size", .uint(i.fileSize)),
            ("statistics", .object([
                ("tokens", .uint(s.tokens)), ("chunks", .int(Int64(s.chunks))), ("champions", .uint(s.champions)),
                ("evicted", .uint(s.evicted)), ("hero_tokens", .int(Int64(s.heroTokens))), ("spans", .int(Int64(s.spans))),
                ("kept_whole", .bool(s.keptWhole)),
            ])),
            ("parameters", .object([
                ("chunk_length", .int(Int64(p.chunkLength))), ("per_chunk", .int(Int64(p.perChunk))), ("top_p", .double(p.topP)),
                ("buffer_tokens", .int(Int64(p.bufferTokens))), ("span", .int(Int64(p.span))),
                ("signals", .array(p.signals.map(JSON.string))), ("gate_count", .int(Int64(p.gateCount))),
                ("feature_dimension", .int(Int64(p.featureDimension))),
                ("statistics_sample_tokens", .int(Int64(p.statisticsSampleTokens))), ("focus", .string(p.focus)),
                ("feature_source", .string(p.featureSource)),
            ])),
            ("documents", .uint(i.entry(.documentStarts).count)),
            ("hero_tokens", .uint(i.entry(.heroTokens).count)),
            ("spans", .uint(i.entry(.spans).count)),
            ("tokenizer", tokenizer),
            ("embedded_ranks_bytes", .uint(i.entry(.tokenizerRanks).length)),
            ("dna", .object([("vocabulary_size", .int(Int64(m.vocabularySize))),
                             ("feature_dimension", .int(Int64(m.featureDimension))), ("gates", .int(Int64(m.gateCount)))])),
            ("inputs", .array(m.fingerprint.inputs.map { .object([
                ("path", .string($0.path)), ("size", .uint($0.size)),
                ("modification_seconds", .int($0.modificationSeconds)), ("content_hash", .string(hex($0.contentHash))),
            ]) })),
            ("sections", .array(i.sections.map { .object([
                ("kind", .string($0.name)), ("offset", .uint($0.offset)), ("length", .uint($0.length)),
                ("count", .uint($0.count)), ("xxh64", .string(hex($0.checksum))),
            ]) })),
        ])
        return object.rendered
    }
}

/// Sixteen lowercase hex digits.
func hex(_ v: UInt64) -> String {
    (0..<8).reversed().map { String(format2: UInt8(truncatingIfNeeded: v >> (8 * UInt64($0)))) }.joined()
}

/// A minimal JSON writer with ordered keys (Foundation-free, used only for descriptions).
enum JSON {
    case null, bool(Bool), int(Int64), uint(UInt64), double(Double), string(String)
    case array([JSON]), object([(String, JSON)])

    var rendered: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let v): return String(v)
        case .uint(let v): return String(v)
        case .double(let v): return v.isFinite ? "\(v)" : "null"
        case .string(let s): return JSON.quote(s)
        case .array(let items): return "[" + items.map(\.rendered).joined(separator: ",") + "]"
        case .object(let pairs): return "{" + pairs.map { JSON.quote($0.0) + ":" + $0.1.rendered }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u00" + String(format2: UInt8(scalar.value))
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
