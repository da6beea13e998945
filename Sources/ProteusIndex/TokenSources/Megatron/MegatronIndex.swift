/// The `.idx` half of a Megatron-LM / NeMo indexed dataset (`MMIDIDX`), as written by
/// Megatron's `_IndexWriter`: a 34-byte header, then int32 sequence lengths, int64
/// sequence pointers (byte offsets into the `.bin`) and int64 document indices.
///
/// The arrays start at byte 34, so every load is unaligned. Every count is checked
/// against the file size before anything is allocated, so a hostile header cannot make
/// the reader allocate terabytes.
struct MegatronIndex: Sendable {
    static let magic: [UInt8] = Array("MMIDIDX".utf8) + [0, 0]
    static let headerSize = 34

    /// Megatron's dtype codes.
    enum DType: UInt8, CaseIterable, Sendable {
        case uint8 = 1, int8 = 2, int16 = 3, int32 = 4, int64 = 5, float64 = 6, float32 = 7, uint16 = 8

        var byteCount: Int {
            switch self {
            case .uint8, .int8: return 1
            case .int16, .uint16: return 2
            case .int32, .float32: return 4
            case .int64, .float64: return 8
            }
        }

        var name: String {
            switch self {
            case .uint8: return "uint8"
            case .int8: return "int8"
            case .int16: return "int16"
            case .int32: return "int32"
            case .int64: return "int64"
            case .float64: return "float64"
            case .float32: return "float32"
            case .uint16: return "uint16"
            }
        }
    }

    var dtype: DType
    var element: StoredElement
    /// Number of sequences.
    var sequenceCount: Int
    /// The sequences as runs of the `.bin`, in index order, adjacent ones merged.
    var segments: [TokenSegment]
    /// The documents, in place in the index's bytes.
    var documents: MegatronDocuments

    /// Parses and checks `pinned` (the whole `.idx` of `path`) and checks
    /// every sequence lies inside a `.bin` of `binSize` bytes at `binPath`. One pass over the
    /// arrays; the documents stay in place (`MegatronDocuments`), and what is kept is a token
    /// count every 64 sequences and the runs of the `.bin` (one when the sequences are stored
    /// back to back, as Megatron writes them).
    init(_ pinned: PinnedBytes, path: String, binPath: String, binSize: UInt64) throws {
        let bytes = pinned.bytes
        guard bytes.count >= MegatronIndex.headerSize else {
            throw ProteusError.corrupt(path, "truncated MMIDIDX header: the file holds \(bytes.count) bytes, the header needs \(MegatronIndex.headerSize)")
        }
        guard bytes.prefix(9).elementsEqual(MegatronIndex.magic) else {
            throw ProteusError.corrupt(path, at: 0, "not a Megatron index: it does not start with MMIDIDX")
        }
        let version = bytes.loadUnaligned(fromByteOffset: 9, as: UInt64.self).littleEndian
        guard version == 1 else {
            throw ProteusError.corrupt(path, at: 9, "unsupported MMIDIDX version \(version) (expected 1)")
        }
        let code = bytes[17]
        guard let dtype = DType(rawValue: code) else {
            throw ProteusError.corrupt(path, at: 17, "unknown dtype code \(code)")
        }
        switch dtype {
        case .uint8: element = .u8
        case .uint16: element = .u16
        case .int32: element = .u32
        case .float32, .float64:
            throw ProteusError.corrupt(path, at: 17, "dtype \(dtype.name) holds floating-point values, not token ids")
        case .int8, .int16, .int64:
            throw ProteusError.corrupt(path, at: 17, "dtype \(dtype.name) is not supported for token ids (use uint16 or int32)")
        }
        self.dtype = dtype
        let sequenceCount = bytes.loadUnaligned(fromByteOffset: 18, as: UInt64.self).littleEndian
        let documentCount = bytes.loadUnaligned(fromByteOffset: 26, as: UInt64.self).littleEndian
        let (seqBytes, o1) = sequenceCount.multipliedReportingOverflow(by: 12)
        let (docBytes, o2) = documentCount.multipliedReportingOverflow(by: 8)
        let (arrays, o3) = seqBytes.addingReportingOverflow(docBytes)
        guard !o1, !o2, !o3, arrays <= UInt64.max - 34 else {
            throw ProteusError.corrupt(path, at: 18, "header announces \(sequenceCount) sequences and \(documentCount) document indices: their size overflows 64 bits")
        }
        let needed = arrays + 34
        guard UInt64(bytes.count) >= needed else {
            throw ProteusError.corrupt(path, "index holds \(bytes.count) bytes but \(sequenceCount) sequences and \(documentCount) document indices need \(needed)")
        }
        guard documentCount >= 1 else {
            throw ProteusError.corrupt(path, at: 26, "document index count is 0 (the list must at least hold its leading 0)")
        }
        let n = Int(sequenceCount), d = Int(documentCount)
        let pointersAt = 34 + 4 * n, documentsAt = 34 + 12 * n
        let width = UInt64(dtype.byteCount)
        var segments = TokenSegment.Merger(elementBytes: UInt64(element.byteCount))
        var checkpoints: [UInt64] = []
        checkpoints.reserveCapacity((n + MegatronDocuments.stride - 1) / MegatronDocuments.stride + 1)  // and the total
        var total: UInt64 = 0
        // Both passes hand back the pages behind them every 1M entries (the arrays of 10M
        // one-line documents are 200 MB).
        let releaseEvery = 1 << 20
        for i in 0..<n {
            if i % MegatronDocuments.stride == 0 { checkpoints.append(total) }
            if i % releaseEvery == 0 && i > 0 {
                pinned.releasePages((34 + 4 * (i - releaseEvery))..<(34 + 4 * i))
                pinned.releasePages((pointersAt + 8 * (i - releaseEvery))..<(pointersAt + 8 * i))
            }
            let length = Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 34 + 4 * i, as: Int32.self))
            let pointer = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: pointersAt + 8 * i, as: Int64.self))
            guard length >= 0 else {
                throw ProteusError.corrupt(path, at: UInt64(34 + 4 * i), "sequence \(i) has negative length \(length)")
            }
            guard pointer >= 0 else {
                throw ProteusError.corrupt(path, at: UInt64(pointersAt + 8 * i), "sequence \(i) has negative pointer \(pointer)")
            }
            // length < 2^31 and width ≤ 8, so only the addition can overflow, and only for
            // a pointer already past any real file.
            let begin = UInt64(pointer), end = begin &+ UInt64(length) * width
            guard begin <= binSize, end <= binSize, end >= begin else {
                throw ProteusError.corrupt(path, "sequence \(i) points to bytes \(begin)..\(end) beyond the end of \(binPath) (\(binSize) bytes)")
            }
            segments.add(TokenSegment(byteOffset: begin, tokenCount: UInt64(length)))
            total += UInt64(length)
        }
        checkpoints.append(total)
        var previous: Int64 = 0
        for j in 0..<d {
            if j % releaseEvery == 0 && j > 0 {
                pinned.releasePages((documentsAt + 8 * (j - releaseEvery))..<(documentsAt + 8 * j))
            }
            let value = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: documentsAt + 8 * j, as: Int64.self))
            guard value >= previous, value <= Int64(n), j > 0 || value == 0 else {
                throw ProteusError.corrupt(path, at: UInt64(documentsAt + 8 * j),
                                           "document index \(j) is \(value): indices must rise from 0 to the sequence count \(n)")
            }
            previous = value
        }
        guard previous == Int64(n) else {
            throw ProteusError.corrupt(path, "last document index is \(previous) but there are \(n) sequences")
        }
        self.sequenceCount = n
        self.segments = segments.merged
        self.documents = MegatronDocuments(pinned, lengthsAt: 34, documentIndicesAt: documentsAt, count: d - 1,
                                           checkpoints: checkpoints, tokenCount: total, binPath: binPath)
    }
}
