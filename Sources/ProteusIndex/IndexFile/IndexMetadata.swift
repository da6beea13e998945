/// The small `META` section: everything of `HeroIndexContents` that is not an array.
///
/// A flat little-endian encoding (integers, f64, length-prefixed UTF-8 strings) read back
/// field by field with bounds checks. It is a few hundred bytes, so parsing it on first
/// access costs nothing, and a binary form round-trips `Double`s exactly where JSON might not.
/// Fields are only ever appended; readers ignore bytes after the fields they know.
public struct IndexMetadata: Equatable, Sendable {
    /// The build options.
    public var parameters = BuildParameters()
    /// The build counts.
    public var statistics = BuildStatistics()
    /// The indexed inputs.
    public var fingerprint = SourceFingerprint()
    /// The corpus tokenizer, when known.
    public var tokenizer: TokenizerIdentity?
    /// Split-pattern name of that tokenizer.
    public var splitPattern: String?
    /// DNA dimensions: every DNA section's element count follows from these.
    public var vocabularySize: Int = 0
    /// Dimension of feature vectors.
    public var featureDimension: Int = 0
    /// Number of salience gates.
    public var gateCount: Int = 0
    /// Window size, count and list limit of the routing tier; nil when the index has none.
    public var routing: RoutingTierShape?
    /// DNA rows (ids the sample saw) and the surprisal of every other id.
    public var dnaRows: Int = 0
    public var unseenSurprisal: Float = 0
    /// Tokens past each edge that the routing windows' lists hold (a tier's or a shard's).
    public var windowReach = RoutingTierContents.windowReach

    /// Empty metadata (the defaults of each part).
    public init() {}

    /// Serialized bytes.
    func encoded() -> [UInt8] {
        var w = MetadataWriter()
        let p = parameters
        Self.encodeFirstParameters(p, into: &w)
        let s = statistics
        w.u64(s.tokens); w.int(s.chunks); w.u64(s.champions); w.u64(s.evicted)
        w.int(s.heroTokens); w.int(s.spans); w.u8(s.keptWhole ? 1 : 0)
        w.u32(UInt32(fingerprint.inputs.count))
        for input in fingerprint.inputs {
            w.string(input.path); w.u64(input.size); w.int(Int(input.modificationSeconds)); w.u64(input.contentHash)
        }
        if let t = tokenizer {
            w.u8(1); w.string(t.name); w.bytes(t.sha256); w.u32(t.vocabularySize)
        } else {
            w.u8(0)
        }
        if let sp = splitPattern { w.u8(1); w.string(sp) } else { w.u8(0) }
        w.int(vocabularySize); w.int(featureDimension); w.int(gateCount)
        // Format version 2 appends the fields below; a version 1 file ends here.
        w.int(p.routeWindow); w.double(p.routeListShare)
        if let c = fingerprint.corpus {
            w.u8(1); w.u64(c.tokenCount); w.u64(c.contentHash); w.u64(c.sampleHash)
        } else {
            w.u8(0)
        }
        if let t = routing {
            w.u8(1); w.int(t.windowTokens); w.int(t.windowCount); w.int(t.listLimit)
        } else {
            w.u8(0)
        }
        w.int(dnaRows); w.u32(unseenSurprisal.bitPattern)
        w.int(windowReach)
        return w.bytes
    }

    /// Parses the section; `fail` builds the error for a malformed field.
    static func decode(_ raw: UnsafeRawBufferPointer, fail: @escaping (String) -> ProteusError) throws -> IndexMetadata {
        var r = MetadataReader(raw: raw, fail: fail)
        var m = IndexMetadata()
        m.parameters = try decodeFirstParameters(&r)
        var s = BuildStatistics()
        s.tokens = try r.u64(); s.chunks = try r.int(); s.champions = try r.u64(); s.evicted = try r.u64()
        s.heroTokens = try r.int(); s.spans = try r.int(); s.keptWhole = try r.u8() != 0
        m.statistics = s
        let inputCount = try r.count(minimumBytesEach: 28)
        for _ in 0..<inputCount {
            let path = try r.string()
            let size = try r.u64(), seconds = Int64(try r.int()), hash = try r.u64()
            m.fingerprint.inputs.append(.init(path: path, size: size, modificationSeconds: seconds, contentHash: hash))
        }
        if try r.u8() != 0 {
            let name = try r.string(), sha = try r.bytes(), vocab = try r.u32()
            m.tokenizer = TokenizerIdentity(name: name, sha256: sha, vocabularySize: vocab)
        }
        if try r.u8() != 0 { m.splitPattern = try r.string() }
        m.vocabularySize = try r.int(); m.featureDimension = try r.int(); m.gateCount = try r.int()
        guard m.vocabularySize >= 0, m.featureDimension >= 0, m.gateCount >= 0 else {
            throw fail("negative DNA dimension")
        }
        guard !r.atEnd else {
            m.parameters.routeWindow = 0  // version 1: built before routing existed
            return m
        }
        m.parameters.routeWindow = try r.int(); m.parameters.routeListShare = try r.double()
        if try r.u8() != 0 {
            m.fingerprint.corpus = CorpusIdentity(tokenCount: try r.u64(), contentHash: try r.u64(), sampleHash: try r.u64())
        }
        if try r.u8() != 0 {
            let shape = RoutingTierShape(windowTokens: try r.int(), windowCount: try r.int(), listLimit: try r.int())
            // Bounded so list sizes computed from them cannot overflow (a crafted META).
            guard shape.windowTokens > 0, shape.windowTokens <= 1 << 32, shape.windowCount >= 0,
                  shape.windowCount <= 1 << 40, shape.listLimit >= 0, shape.listLimit <= shape.windowCount else {
                throw fail("routing tier of \(shape.windowCount) windows of \(shape.windowTokens) tokens is impossible")
            }
            m.routing = shape
        }
        m.dnaRows = try r.int(); m.unseenSurprisal = Float(bitPattern: try r.u32())
        guard m.dnaRows >= 0, m.dnaRows <= m.vocabularySize else {
            throw fail("\(m.dnaRows) DNA rows for a vocabulary of \(m.vocabularySize)")
        }
        // Recorded since the reach grew from 64 to 128 tokens; older files end before it.
        m.windowReach = r.atEnd ? RoutingTierContents.unrecordedWindowReach : try r.int()
        guard m.windowReach >= 0, m.windowReach <= 1 << 20 else {
            throw fail("routing window reach of \(m.windowReach) tokens is impossible")
        }
        return m
    }
}

extension IndexMetadata {
    /// The parameters as META's first fields store them.
    static func encodeFirstParameters(_ p: BuildParameters, into w: inout MetadataWriter) {
        for v in [p.chunkLength, p.perChunk] { w.int(v) }
        w.double(p.topP)
        for v in [p.bufferTokens, p.span] { w.int(v) }
        // Signals are stored by name, so the file does not depend on the option set's bits.
        w.u32(UInt32(p.signals.names.count))
        for s in p.signals.names { w.string(s) }
        for v in [p.gateCount, p.featureDimension, p.statisticsSampleTokens] { w.int(v) }
        w.string(p.focus)
        w.string(p.featureSource)
    }

    static func decodeFirstParameters(_ r: inout MetadataReader) throws -> BuildParameters {
        var p = BuildParameters()
        p.chunkLength = try r.int(); p.perChunk = try r.int()
        p.topP = try r.double()
        p.bufferTokens = try r.int(); p.span = try r.int()
        let signalCount = try r.count(minimumBytesEach: 4)
        p.signals = Signals(recorded: try (0..<signalCount).map { _ in try r.string() })
        p.gateCount = try r.int(); p.featureDimension = try r.int(); p.statisticsSampleTokens = try r.int()
        p.focus = try r.string(); p.featureSource = try r.string()
        return p
    }

    /// Every parameter (the `.dna` file's form).
    static func encodeParameters(_ p: BuildParameters, into w: inout MetadataWriter) {
        encodeFirstParameters(p, into: &w)
        w.int(p.routeWindow); w.double(p.routeListShare)
    }

    static func decodeParameters(_ r: inout MetadataReader) throws -> BuildParameters {
        var p = try decodeFirstParameters(&r)
        p.routeWindow = try r.int(); p.routeListShare = try r.double()
        return p
    }
}

struct MetadataWriter {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func int(_ v: Int) { u64(UInt64(bitPattern: Int64(v))) }
    mutating func double(_ v: Double) { u64(v.bitPattern) }
    mutating func bytes(_ v: [UInt8]) { u32(UInt32(v.count)); bytes.append(contentsOf: v) }
    mutating func string(_ v: String) { bytes(Array(v.utf8)) }
}

struct MetadataReader {
    let raw: UnsafeRawBufferPointer
    let fail: (String) -> ProteusError
    var position = 0

    mutating func take(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, n <= raw.count - position else {
            throw fail("field at byte \(position) runs past the end of the section (\(raw.count) bytes)")
        }
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: raw[position..<position + n])
    }
    var atEnd: Bool { position == raw.count }
    mutating func u8() throws -> UInt8 { try take(1)[0] }
    mutating func u32() throws -> UInt32 { UInt32(littleEndian: try take(4).loadUnaligned(as: UInt32.self)) }
    mutating func u64() throws -> UInt64 { UInt64(littleEndian: try take(8).loadUnaligned(as: UInt64.self)) }
    mutating func int() throws -> Int { Int(Int64(bitPattern: try u64())) }
    mutating func double() throws -> Double { Double(bitPattern: try u64()) }
    mutating func bytes() throws -> [UInt8] { Array(try take(Int(try u32()))) }
    mutating func string() throws -> String { String(decoding: try bytes(), as: UTF8.self) }
    /// A list length, refused when the remaining bytes cannot hold that many entries
    /// (so a corrupt count cannot make us loop or allocate for billions of items).
    mutating func count(minimumBytesEach: Int) throws -> Int {
        let n = Int(try u32())
        guard n <= (raw.count - position) / minimumBytesEach else {
            throw fail("list of \(n) entries at byte \(position - 4) cannot fit in the section")
        }
        return n
    }
}
