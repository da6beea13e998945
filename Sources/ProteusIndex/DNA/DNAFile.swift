/// The `.dna` file: a `FrozenDNA` on its own, written by `learn` and read by `build --dna`.
///
/// ```
/// 0   magic        8   89 'P' 'D' 'N' 0D 0A 1A 0A (as .phb: catches text-mode transfers)
/// 8   version      u32 (1)
/// 12  reserved     u32 (0)
/// 16  payloadSize  u64
/// 24  checksum     u64 XXH64 of the payload
/// 32  payload      the `MetadataWriter` encoding (little-endian), in this order:
///     parameters (as in META), tokenizer identity (flag, name, sha256, vocabulary),
///     tokens of the corpus learned from, vocabulary size, sampled tokens, the sample's
///     nonzero counts (ids u32, counts u32), feature dimension, quantized feature rows
///     (int8, `(vocabulary + 1) × dimension`), row scales (f32), then the gates (flag, count,
///     active count, prototypes f32, confidence f32, weight f32, fixed u8).
/// ```
/// Everything is stored exactly (counts, not surprisal; int8 rows, not floats), so a build
/// with the file scores every token with the very floats of the build that learned it.
enum DNAFile {
    static let magic: [UInt8] = [0x89, 0x50, 0x44, 0x4E, 0x0D, 0x0A, 0x1A, 0x0A]
    static let version: UInt32 = 1
    static let headerSize = 32

    /// Writes `dna` to `path` atomically (refusing an output that is one of `inputs`).
    static func write(_ dna: FrozenDNA, to path: String, inputs: [FileIdentity]) throws -> UInt64 {
        let payload = encode(dna)
        var header = [UInt8](repeating: 0, count: headerSize)
        header.replaceSubrange(0..<8, with: magic)
        HeroIndexWriter.put(version, into: &header, at: 8)
        HeroIndexWriter.put(UInt64(payload.count), into: &header, at: 16)
        var h = XXH64()
        payload.withUnsafeBytes { h.update($0) }
        HeroIndexWriter.put(h.digest(), into: &header, at: 24)
        let out = try AtomicOutputFile(path: path, inputs: inputs)
        do {
            try out.write(header)
            try out.write(payload)
            try out.commit()
        } catch {
            out.discard()
            throw error
        }
        return UInt64(headerSize + payload.count)
    }

    /// Reads and checks a `.dna` file; every problem is one line naming the file.
    static func read(path: String) throws -> FrozenDNA {
        let file = try SystemFile(openForReading: path)
        func corrupt(_ what: String) -> ProteusError { ProteusError(.dataError, path: path, what) }
        guard file.size >= UInt64(headerSize) else { throw corrupt("not a .dna file (\(file.size) bytes, shorter than its header)") }
        let header = try file.readBytes(at: 0, count: headerSize)
        guard Array(header[0..<8]) == magic else {
            throw corrupt("not a .dna file (it does not start with the .dna magic; write one with 'proteus-index learn')")
        }
        let version = header.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self)) }
        guard version == Self.version else { throw corrupt(".dna version \(version) is not readable (this tool reads version \(Self.version))") }
        let size = header.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 16, as: UInt64.self)) }
        let checksum = header.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 24, as: UInt64.self)) }
        guard size == file.size - UInt64(headerSize) else {
            throw corrupt("payload of \(size) bytes announced but \(file.size - UInt64(headerSize)) present (truncated or extended)")
        }
        let payload = try file.readBytes(at: UInt64(headerSize), count: Int(size))
        var h = XXH64()
        payload.withUnsafeBytes { h.update($0) }
        guard h.digest() == checksum else { throw corrupt("checksum mismatch: the file is damaged") }
        return try payload.withUnsafeBytes { try decode($0, fail: corrupt) }
    }

    static func encode(_ dna: FrozenDNA) -> [UInt8] {
        var w = MetadataWriter()
        IndexMetadata.encodeParameters(dna.parameters, into: &w)
        if let t = dna.tokenizer {
            w.u8(1); w.string(t.name); w.bytes(t.sha256); w.u32(t.vocabularySize)
        } else {
            w.u8(0)
        }
        w.u64(dna.learnedTokens)
        let s = dna.statistics
        w.int(s.vocabularySize); w.int(s.sampledTokens)
        var ids: [UInt32] = [], counts: [UInt32] = []
        for id in 0..<s.vocabularySize where s.counts[id] > 0 { ids.append(UInt32(id)); counts.append(s.counts[id]) }
        w.array(ids); w.array(counts)
        let f = dna.features
        w.int(f.dimension)
        w.array(f.quantized); w.array(f.scales)
        if let g = dna.gates {
            let state = g.state
            w.u8(1); w.int(g.count); w.int(state.activeCount)
            w.array(state.prototypes); w.array(state.confidence); w.array(state.weight)
            w.array(state.fixed.map { $0 ? UInt8(1) : 0 })
        } else {
            w.u8(0)
        }
        return w.bytes
    }

    static func decode(_ raw: UnsafeRawBufferPointer, fail: @escaping (String) -> ProteusError) throws -> FrozenDNA {
        var r = MetadataReader(raw: raw, fail: fail)
        let parameters = try IndexMetadata.decodeParameters(&r)
        var tokenizer: TokenizerIdentity?
        if try r.u8() != 0 {
            tokenizer = TokenizerIdentity(name: try r.string(), sha256: try r.bytes(), vocabularySize: try r.u32())
        }
        let learnedTokens = try r.u64()
        let vocabulary = try r.int(), sampled = try r.int()
        guard vocabulary > 0, vocabulary <= max(CorpusStatistics.vocabularyLimit, Int(tokenizer?.vocabularySize ?? 0)),
              sampled >= 0 else { throw fail("vocabulary of \(vocabulary) ids or \(sampled) sampled tokens is impossible") }
        let ids: [UInt32] = try r.array(), counts: [UInt32] = try r.array()
        guard ids.count == counts.count, ids.allSatisfy({ Int($0) < vocabulary }),
              zip(ids, ids.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw fail("\(ids.count) counted ids and \(counts.count) counts are not increasing ids of the vocabulary")
        }
        var allCounts = [UInt32](repeating: 0, count: vocabulary + 1)
        for (id, c) in zip(ids, counts) { allCounts[Int(id)] = c }
        let statistics = CorpusStatistics(vocabularySize: vocabulary, counts: allCounts, sampledTokens: sampled)
        let dimension = try r.int()
        let quantized: [Int8] = try r.array(), scales: [Float] = try r.array()
        guard dimension == parameters.featureDimension, dimension > 0,
              quantized.count == (vocabulary + 1) * dimension, scales.count == vocabulary + 1 else {
            throw fail("feature rows (\(quantized.count) values, \(scales.count) scales, dimension \(dimension)) do not fit a vocabulary of \(vocabulary)")
        }
        let features = TokenFeatures(quantized: quantized, scales: scales, rowCount: vocabulary + 1, dimension: dimension)
        var gates: SalienceGates?
        if try r.u8() != 0 {
            let count = try r.int(), active = try r.int()
            let prototypes: [Float] = try r.array(), confidence: [Float] = try r.array(), weight: [Float] = try r.array()
            let fixed: [UInt8] = try r.array()
            guard count == parameters.gateCount, active >= 0, active <= count, prototypes.count == count * dimension,
                  confidence.count == count, weight.count == count, fixed.count == count else {
                throw fail("gate state (\(count) gates, \(active) active, \(prototypes.count) prototype values) is inconsistent")
            }
            let state = SalienceGates.State(prototypes: prototypes, confidence: confidence, weight: weight,
                                            fixed: fixed.map { $0 != 0 }, activeCount: active)
            gates = SalienceGates(count: count, dimension: dimension, state: state)
        }
        return FrozenDNA(parameters: parameters, tokenizer: tokenizer, learnedTokens: learnedTokens,
                         statistics: statistics, features: features, gates: gates)
    }
}

extension MetadataWriter {
    /// A count (u64) then the raw little-endian elements.
    mutating func array<T: BitwiseCopyable>(_ values: [T]) {
        u64(UInt64(values.count))
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }
}

extension MetadataReader {
    /// An array: its u64 element count, then the elements (copied out in one move).
    mutating func array<T: BitwiseCopyable>() throws -> [T] {
        Self.elements(try arrayBytes(of: T.self), as: T.self)
    }

    /// The elements in `raw` (unaligned bytes), copied into an array.
    static func elements<T: BitwiseCopyable>(_ raw: UnsafeRawBufferPointer, as: T.Type) -> [T] {
        let n = raw.count / MemoryLayout<T>.stride
        return [T](unsafeUninitializedCapacity: n) { buffer, count in
            if n > 0 { UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: raw.baseAddress!, byteCount: raw.count) }
            count = n
        }
    }

    /// The bytes of an array's elements, in place: to hash or skip it without a copy.
    mutating func arrayBytes<T: BitwiseCopyable>(of: T.Type) throws -> UnsafeRawBufferPointer {
        let n = try u64()
        let size = MemoryLayout<T>.stride
        guard n <= UInt64(Int.max / size) else { throw fail("array of \(n) elements cannot fit") }
        return try take(Int(n) * size)
    }
}
