/// What `inspect index.phb [--json]` prints: everything recorded in an index, from the
/// header and the `META` section only (no array is read, so describing a large index is instant);
/// the text of a shard index also gives its place, which means checking and decoding its `SHRD`
/// section (the shard's champion pool, a few MB; whole indexes have none).
public struct IndexDescription {
    /// The index described.
    public let index: HeroIndex

    /// A description of an open index (nothing is read until `text` or `json` is asked for).
    public init(_ index: HeroIndex) { self.index = index }

    /// Multi-line human-readable description. A damaged routing tier or shard section is an
    /// error naming it (read as "none", it once said a corrupt tier was absent).
    public var text: String {
        get throws {
            let i = index, m = index.metadata, s = m.statistics, p = m.parameters
            var lines = [
                "\(i.path): proteus-index hero index, format version \(i.formatVersion) (readable by version \(i.oldestReaderVersion) and later), \(i.fileSize) bytes",
                "  corpus: \(s.tokens) tokens in \(i.entry(.documentStarts).count) documents, \(s.chunks) chunks\(s.keptWhole ? ", kept whole" : "")",
                "  heroes: \(i.entry(.heroTokens).count) tokens in \(i.entry(.spans).count) spans (\(s.champions) champions, \(s.evicted) evicted)",
                "  parameters: chunk \(p.chunkLength), per-chunk \(p.perChunk), top-p \(p.topP), buffer \(p.bufferTokens), span \(p.span), gates \(p.gateCount), feature dimension \(p.featureDimension), sample \(p.statisticsSampleTokens) tokens",
                "  signals: \(p.signals.names.joined(separator: ", ")); features from \(p.featureSource)",
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
            if let c = m.fingerprint.corpus {
                lines.append("  corpus identity: \(c.tokenCount) tokens, content hash \(hex(c.contentHash)), sample hash \(hex(c.sampleHash))")
            }
            if let place = try shardPlace {
                lines.append("  shard: \(place.spec.description), chunks \(place.chunks.lowerBound)..<\(place.chunks.upperBound) of \(place.chunkCount), tokens \(place.tokens.lowerBound)..<\(place.tokens.upperBound)")
            }
            if let r = try i.routing()?.summary {
                let total = r.directoryBytes + r.postingBytes + r.pairFilterBytes
                let perToken = s.tokens > 0 ? decimal(Double(total) / Double(s.tokens), places: 3) : "-"
                let pairs = r.pairFilterBytes > 0 ? ", joined-pair filters \(r.pairFilterBytes)" : ", no joined-pair filters"
                lines.append("  routing tier: \(r.windows) windows of \(r.windowTokens) tokens (and \(r.windowReach) past each edge), \(total) bytes (\(perToken) bytes per corpus token): directory \(r.directoryBytes), lists \(r.postingBytes)\(pairs)")
                lines.append("    \(r.ids) ids: \(r.eliasFanoLists) Elias-Fano lists, \(r.bitmapLists) bitmaps, \(r.idsWithoutList) in more than \(r.listLimit) windows without a list")
            } else {
                lines.append("  routing tier: none (questions are answered from the heroes, or with --rescan)")
            }
            lines.append("  sections:")
            for e in i.sections {
                lines.append("    \(e.name) at byte \(e.offset): \(e.length) bytes, \(e.count) elements, xxh64 \(hex(e.checksum))")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Where a shard index sits in its corpus (nil for a whole index).
    private var shardPlace: (spec: ShardSpec, chunks: Range<Int>, chunkCount: Int, tokens: Range<UInt64>)? {
        get throws {
            guard let shard = try index.shardState(withDNA: false, withWindows: false) else { return nil }
            let chunkLength = UInt64(index.metadata.parameters.chunkLength), tokens = index.metadata.statistics.tokens
            let first = UInt64(shard.chunks.lowerBound) * chunkLength
            let end = min(UInt64(shard.chunks.upperBound) * chunkLength, tokens)
            return (shard.spec, shard.chunks, shard.chunkCount, first..<max(first, end))
        }
    }

    private var shardJSON: JSONValue {
        get throws {
            guard let place = try shardPlace else { return .null }
            return .object([
                ("spec", .string(place.spec.description)), ("first", .integer(Int64(place.spec.index))), ("last", .integer(Int64(place.spec.last))),
                ("count", .integer(Int64(place.spec.count))),
                ("chunk_start", .integer(Int64(place.chunks.lowerBound))), ("chunk_end", .integer(Int64(place.chunks.upperBound))),
                ("chunks", .integer(Int64(place.chunkCount))),
                ("token_start", .unsigned(place.tokens.lowerBound)), ("token_end", .unsigned(place.tokens.upperBound)),
            ])
        }
    }

    private var corpusJSON: JSONValue {
        guard let c = index.metadata.fingerprint.corpus else { return .null }
        return .object([("tokens", .unsigned(c.tokenCount)), ("content_hash", .string(hex(c.contentHash))),
                        ("sample_hash", .string(hex(c.sampleHash)))])
    }

    private var routingJSON: JSONValue {
        get throws {
            guard let tier = try index.routing() else { return .null }
            let r = tier.summary
            let fields: [(String, Int)] = [
                ("window_tokens", r.windowTokens), ("windows", r.windows), ("list_limit", r.listLimit), ("ids", r.ids),
                ("elias_fano_lists", r.eliasFanoLists), ("bitmap_lists", r.bitmapLists), ("ids_without_list", r.idsWithoutList),
                ("directory_bytes", r.directoryBytes), ("list_bytes", r.postingBytes), ("pair_filter_bytes", r.pairFilterBytes),
                ("window_reach", r.windowReach),
            ]
            return .object(fields.map { ($0.0, .integer(Int64($0.1))) })
        }
    }

    /// One JSON object with the same facts (keys in a fixed order).
    public var json: String {
        get throws {
            let i = index, m = index.metadata, s = m.statistics, p = m.parameters
            var tokenizer = JSONValue.null
            if let t = m.tokenizer {
                tokenizer = .object([("name", .string(t.name)), ("vocabulary_size", .integer(Int64(t.vocabularySize))),
                                     ("sha256", .string(t.sha256Hex)), ("split_pattern", m.splitPattern.map(JSONValue.string) ?? .null)])
            }
            let object = JSONValue.object([
                ("path", .string(i.path)),
                ("kind", .string("proteus-index")),
                ("format_version", .integer(Int64(i.formatVersion))),
                ("oldest_reader_version", .integer(Int64(i.oldestReaderVersion))),
                ("file_size", .unsigned(i.fileSize)),
                ("statistics", .object([
                    ("tokens", .unsigned(s.tokens)), ("chunks", .integer(Int64(s.chunks))), ("champions", .unsigned(s.champions)),
                    ("evicted", .unsigned(s.evicted)), ("hero_tokens", .integer(Int64(s.heroTokens))), ("spans", .integer(Int64(s.spans))),
                    ("kept_whole", .bool(s.keptWhole)),
                ])),
                ("parameters", .object([
                    ("chunk_length", .integer(Int64(p.chunkLength))), ("per_chunk", .integer(Int64(p.perChunk))), ("top_p", .number(p.topP)),
                    ("buffer_tokens", .integer(Int64(p.bufferTokens))), ("span", .integer(Int64(p.span))),
                    ("signals", .array(p.signals.names.map(JSONValue.string))), ("gate_count", .integer(Int64(p.gateCount))),
                    ("feature_dimension", .integer(Int64(p.featureDimension))),
                    ("statistics_sample_tokens", .integer(Int64(p.statisticsSampleTokens))), ("focus", .string(p.focus)),
                    ("feature_source", .string(p.featureSource)),
                ])),
                ("documents", .unsigned(i.entry(.documentStarts).count)),
                ("hero_tokens", .unsigned(i.entry(.heroTokens).count)),
                ("spans", .unsigned(i.entry(.spans).count)),
                ("tokenizer", tokenizer),
                ("embedded_ranks_bytes", .unsigned(i.entry(.tokenizerRanks).length)),
                ("dna", .object([("vocabulary_size", .integer(Int64(m.vocabularySize))),
                                 ("feature_dimension", .integer(Int64(m.featureDimension))), ("gates", .integer(Int64(m.gateCount)))])),
                ("corpus", corpusJSON),
                ("shard", try shardJSON),
                ("routing", try routingJSON),
                ("inputs", .array(m.fingerprint.inputs.map { .object([
                    ("path", .string($0.path)), ("size", .unsigned($0.size)),
                    ("modification_seconds", .integer($0.modificationSeconds)), ("content_hash", .string(hex($0.contentHash))),
                ]) })),
                ("sections", .array(i.sections.map { .object([
                    ("kind", .string($0.name)), ("offset", .unsigned($0.offset)), ("length", .unsigned($0.length)),
                    ("count", .unsigned($0.count)), ("xxh64", .string(hex($0.checksum))),
                ]) })),
            ])
            return object.serialized()
        }
    }
}

/// `x` with `places` decimals, rounded (Foundation-free).
func decimal(_ x: Double, places: Int) -> String {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let n = Int((x * scale).rounded())
    let whole = String(n / Int(scale)), fraction = String(n % Int(scale))
    return places == 0 ? whole : whole + "." + String(repeating: "0", count: places - fraction.count) + fraction
}

/// Sixteen lowercase hex digits.
func hex(_ v: UInt64) -> String {
    (0..<8).reversed().map { String(format2: UInt8(truncatingIfNeeded: v >> (8 * UInt64($0)))) }.joined()
}
