/// The `.phb` byte layout, shared by `HeroIndexWriter` and `HeroIndex`.
///
/// ```
/// 0     header (64 bytes)
///         0  magic            8   89 'P' 'H' 'B' 0D 0A 1A 0A (PNG-style: catches 7-bit and
///                                 CR/LF-translating transfers, and never looks like text)
///         8  formatVersion    u32 version of the writer's layout
///        12  oldestReader     u32 oldest reader version that can read this file
///        16  sectionCount     u32
///        20  flags            u32 (0; reserved)
///        24  fileSize         u64 total bytes: detects truncation in O(1)
///        32  tableOffset      u64 (64)
///        40  reserved         16 bytes of zeros
///        56  headerChecksum   u64 XXH64 of bytes 0..<56 followed by the section table
/// 64    section table: sectionCount × 40 bytes
///         0  kind             4 ASCII bytes ("HTOK")
///         4  elementSize      u32 bytes per element
///         8  offset           u64 (a multiple of 64)
///        16  length           u64 bytes (= count × elementSize)
///        24  count            u64 elements
///        32  checksum         u64 XXH64 of the section's bytes
/// then the sections, each starting on a 64-byte boundary (so every array can be used in
/// place from a mapping, and cache lines/SIMD loads never straddle two sections).
/// ```
/// Readers ignore section kinds they do not know: a newer writer can add sections without
/// raising `oldestReader` (so the optional shard sections `SHRD` and `SWIN` of `build --shard`
/// and the routing tier's pair filters `RPRF` and `RPRO` leave the version at 2; an older
/// reader routes without the filters, which only loosens its bounds).
public enum IndexFormat {
    /// The layout this library writes. Version 2 adds the optional routing tier sections,
    /// stores the DNA only for the ids the sample saw (DIDS, DRNK) and the tokenizer ranks
    /// compressed (`EmbeddedRanks`; since 2026-12-07 ready to map, which readers of before
    /// refuse by its first bytes), and appends fields to `META`; a version 1 reader would
    /// misread it, so it is also the oldest reader version.
    public static let version: UInt32 = 2
    /// The layouts this library can read: `oldestReadable ... version`, plus any newer file
    /// whose `oldestReader` is at most `version`. An index is rebuilt from its corpus, so
    /// version 1 indexes are refused with that advice rather than read.
    public static let oldestReadable: UInt32 = 2
    /// The first 8 bytes of every index.
    public static let magic: [UInt8] = [0x89, 0x50, 0x48, 0x42, 0x0D, 0x0A, 0x1A, 0x0A]
    /// Bytes of the fixed header.
    public static let headerSize = 64
    /// Bytes of one section-table row.
    public static let tableEntrySize = 40
    /// Every section starts at a multiple of this.
    public static let alignment = 64
    /// Bytes of the header covered by the header checksum (everything before it).
    static let checksummedHeaderBytes = 56
    /// Section tables longer than this are refused before touching them (a corrupt count
    /// must not send the validator across the whole file).
    static let maximumSections = 256
    /// META is read into memory on open; a corrupt length must not allocate gigabytes.
    /// (16 MiB holds the fingerprints of ~200,000 inputs.)
    static let maximumMetadataSize: UInt64 = 16 << 20
    /// Bytes of one span record: start u64, firstHero u32, length u32, document u32, score f32.
    public static let spanRecordSize = 24
}

/// The sections of a `.phb` file. Each kind is four ASCII bytes on disk.
public enum SectionKind: String, CaseIterable, Sendable {
    /// Parameters, statistics, fingerprint, tokenizer identity, DNA dimensions (`IndexMetadata`).
    case metadata = "META"
    /// Hero spans: `IndexFormat.spanRecordSize`-byte records.
    case spans = "SPAN"
    /// Hero token ids, u32.
    case heroTokens = "HTOK"
    /// Hero token scores, f32, parallel to the tokens.
    case heroScores = "HSCO"
    /// Mean feature vector per span, f32 (`spans × featureDimension`, or empty).
    case spanFeatures = "SFEA"
    /// Document start positions, u64.
    case documentStarts = "DSTA"
    /// Document lengths in tokens, u64.
    case documentLengths = "DLEN"
    /// Offsets of each document name in the name pool, u64 (`documents + 1` entries).
    case documentNameOffsets = "DNMO"
    /// UTF-8 document names, concatenated.
    case documentNames = "DNMS"
    /// The embedded tokenizer ranks, ready to map or (older indexes) one zstd frame (`EmbeddedRanks`).
    case tokenizerRanks = "TOKR"
    /// The ids with a DNA row: one bit per vocabulary id, u64 words (`PresenceBits`).
    case dnaIDs = "DIDS"
    /// Set bits before every 8 words of `DIDS`, u32.
    case dnaRanks = "DRNK"
    /// Surprisal of each DNA row's id, f32.
    case surprisal = "DSUR"
    /// Each DNA row's feature vector, int8 (`rows × featureDimension`).
    case features = "DFEA"
    /// Scale of each feature row, f32.
    case featureScales = "DFSC"
    /// Gate prototypes, f32 (`gates × featureDimension`).
    case gates = "DGAT"
    /// Confidence of each gate, f32.
    case gateConfidence = "DGCF"
    /// Routing tier: one bit per vocabulary id, set for the ids the corpus holds, u64 words
    /// (`RoutingDirectory`).
    case routeIDs = "RIDS"
    /// Routing tier: set bits before every 8 words of `RIDS`, u32.
    case routeRanks = "RRNK"
    /// Routing tier: the number of windows holding each id, LEB128 varints in id order.
    case routeWindowCounts = "RWCN"
    /// Routing tier: offsets into `RWCN` and `RPST` of every 64th id, u64 pairs.
    case routeSkips = "RSKP"
    /// Routing tier: the window lists (`PostingList`), in id order.
    case routePostings = "RPST"
    /// Routing tier: line breaks before each window, u64 (absent when lines were not counted).
    case routeLineStarts = "RLIN"
    /// Routing tier (or a shard's windows): each window's joined-pair Bloom filter, u64 words
    /// (`PairFilters`; absent when the build had no tokenizer).
    case routePairFilters = "RPRF"
    /// The word where each window's filter starts, u64 (`windows + 1` entries).
    case routePairOffsets = "RPRO"
    /// Shard index only (`build --shard`): what the merge needs beyond the heroes (`ShardState`):
    /// range, counts, block digests, the ranked champion pool with its windows, the DNA.
    case shardState = "SHRD"
    /// Shard index only: the routing windows' id lists, before inversion (`ShardWindows`).
    case shardWindows = "SWIN"
    /// Appendable index (`build --appendable`) or a part built to append to one (`build
    /// --after`): the closed prefix of its range that an append keeps (`AppendState`).
    case appendState = "APND"
    /// Appendable whole index only: the closed prefix's routing windows, before inversion.
    case appendWindows = "APWN"

    /// Bytes per element; the table's length must equal count × this.
    public var elementSize: Int {
        switch self {
        case .metadata, .documentNames, .tokenizerRanks, .features, .routePostings, .routeWindowCounts,
             .shardState, .shardWindows, .appendState, .appendWindows: return 1
        case .dnaRanks: return 4
        case .dnaIDs: return 8
        case .spans: return IndexFormat.spanRecordSize
        case .heroTokens, .heroScores, .spanFeatures, .surprisal, .featureScales, .gates, .gateConfidence,
             .routeRanks: return 4
        case .documentStarts, .documentLengths, .documentNameOffsets, .routeIDs, .routeSkips, .routeLineStarts,
             .routePairFilters, .routePairOffsets: return 8
        }
    }

    /// Sections an index may lack: the routing tier is absent from indexes of format
    /// version 1 and from builds without one.
    public var isOptional: Bool {
        switch self {
        case .routeIDs, .routeRanks, .routeWindowCounts, .routeSkips, .routePostings, .routeLineStarts,
             .routePairFilters, .routePairOffsets, .shardState, .shardWindows, .appendState, .appendWindows: return true
        default: return false
        }
    }

    /// Small sections are checksummed on first access; large arrays are handed out as views
    /// without reading every byte (opening stays O(1)), and only `verify()` checks them.
    public var verifiedOnAccess: Bool {
        switch self {
        case .metadata, .spans, .documentStarts, .documentLengths, .documentNameOffsets,
             .documentNames, .gates, .gateConfidence, .routeIDs, .routeRanks, .routeWindowCounts, .routeSkips,
             .routeLineStarts, .routePairOffsets, .dnaIDs, .dnaRanks, .shardState, .appendState:
            return true
        case .heroTokens, .heroScores, .spanFeatures, .tokenizerRanks, .surprisal, .features, .featureScales,
             .routePostings, .routePairFilters, .shardWindows, .appendWindows:
            return false
        }
    }

    /// Position in `allCases`, for fixed-size per-kind tables (hashing a String-backed enum
    /// would hash its raw value: measurable when opening takes microseconds).
    var ordinal: Int {
        switch self {
        case .metadata: return 0
        case .spans: return 1
        case .heroTokens: return 2
        case .heroScores: return 3
        case .spanFeatures: return 4
        case .documentStarts: return 5
        case .documentLengths: return 6
        case .documentNameOffsets: return 7
        case .documentNames: return 8
        case .tokenizerRanks: return 9
        case .surprisal: return 10
        case .features: return 11
        case .featureScales: return 12
        case .gates: return 13
        case .gateConfidence: return 14
        case .routeIDs: return 15
        case .routeRanks: return 16
        case .routeWindowCounts: return 17
        case .routeSkips: return 18
        case .routePostings: return 19
        case .routeLineStarts: return 20
        case .dnaIDs: return 21
        case .dnaRanks: return 22
        case .shardState: return 23
        case .shardWindows: return 24
        case .routePairFilters: return 25
        case .routePairOffsets: return 26
        case .appendState: return 27
        case .appendWindows: return 28
        }
    }

    private static let codes: [UInt32] = allCases.map(\.code)

    /// The kind stored as `code`, nil for kinds this library does not know.
    init?(code: UInt32) {
        guard let i = SectionKind.codes.firstIndex(of: code) else { return nil }
        self = SectionKind.allCases[i]
    }

    /// Kind as the four bytes stored in the table.
    var code: UInt32 {
        var value: UInt32 = 0
        for (i, byte) in rawValue.utf8.enumerated() { value |= UInt32(byte) << (8 * UInt32(i)) }
        return value
    }

    /// Printable form of any stored kind code, known or not.
    static func name(of code: UInt32) -> String {
        let bytes = (0..<4).map { UInt8(truncatingIfNeeded: code >> (8 * UInt32($0))) }
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return String(decoding: bytes, as: UTF8.self) }
        return "0x" + bytes.reversed().map { String(format2: $0) }.joined()
    }
}

/// One row of the section table as stored. Plain data (no String inside), so the table of
/// an index costs no reference counting to build or copy on open.
public struct SectionEntry: Equatable, Sendable {
    /// The stored four-byte kind code (first character in the low byte).
    public var code: UInt32
    /// The stored kind, printable ("HTOK").
    public var name: String { kind?.rawValue ?? SectionKind.name(of: code) }
    /// The kind when this library knows it.
    public var kind: SectionKind?
    /// Bytes per element, as stored.
    public var elementSize: UInt32
    /// Byte offset of the section in the file.
    public var offset: UInt64
    /// Bytes of the section.
    public var length: UInt64
    /// Elements in the section.
    public var count: UInt64
    /// XXH64 of the section's bytes.
    public var checksum: UInt64
}
