/// The documents of a Megatron dataset read in place from its `.idx` (mapped): document `d`
/// is sequences `documentIndices[d] ..< documentIndices[d + 1]`, and is named
/// `PREFIX.bin#<d>`. Nothing is copied per document: a sequence's start is the token count
/// recorded every `stride` sequences plus the lengths since, and the start of every 64th
/// document is kept so the document holding a position is found by a search in memory and a
/// walk of at most 63 documents (a binary search over the arrays would read a page at each
/// step). Memory is 8 bytes per 64 sequences and per 64 documents (2.5 MB for 10M one-line
/// documents) whatever the dataset's size.
final class MegatronDocuments: DocumentStorage, @unchecked Sendable {
    /// Sequences between two recorded token counts.
    static let stride = 64

    /// The index's bytes (its mapping, or a copy when it cannot be mapped).
    private let pinned: PinnedBytes
    /// Where the int32 sequence lengths and the `count + 1` int64 document indices start
    /// (unaligned) in `pinned`.
    private let lengthsAt: Int, documentIndicesAt: Int
    private let lengths: UnsafeRawPointer
    private let documentIndices: UnsafeRawPointer
    let count: Int
    /// Tokens before sequence `k × stride`, and the total last.
    private let checkpoints: [UInt64]
    /// Start of document `k × stride`.
    private var documentStarts: [UInt64] = []
    let tokenCount: UInt64
    /// `binPath` + "#", the prefix of every name.
    private let namePrefix: [UInt8]

    /// Takes arrays `MegatronIndex` has checked: lengths ≥ 0, indices rising from 0 to the
    /// sequence count.
    init(_ pinned: PinnedBytes, lengthsAt: Int, documentIndicesAt: Int, count: Int, checkpoints: [UInt64],
         tokenCount: UInt64, binPath: String) {
        self.pinned = pinned
        self.lengthsAt = lengthsAt
        self.documentIndicesAt = documentIndicesAt
        lengths = pinned.bytes.baseAddress! + lengthsAt
        documentIndices = pinned.bytes.baseAddress! + documentIndicesAt
        self.count = count
        self.checkpoints = checkpoints
        self.tokenCount = tokenCount
        self.namePrefix = Array((binPath + "#").utf8)
        documentStarts.reserveCapacity((count + MegatronDocuments.stride - 1) / MegatronDocuments.stride)
        for d in Swift.stride(from: 0, to: count, by: MegatronDocuments.stride) {
            documentStarts.append(start(d))
            if d % (1 << 20) == 0 { pinned.releasePages(0..<(documentIndicesAt + 8 * d)) }
        }
    }

    var heldBytes: Int { checkpoints.capacity * 8 + documentStarts.capacity * 8 + namePrefix.capacity }

    @inline(__always) private func length(ofSequence s: Int) -> UInt64 {
        UInt64(Int32(littleEndian: lengths.loadUnaligned(fromByteOffset: 4 * s, as: Int32.self)))
    }

    @inline(__always) private func firstSequence(_ d: Int) -> Int {
        Int(Int64(littleEndian: documentIndices.loadUnaligned(fromByteOffset: 8 * d, as: Int64.self)))
    }

    /// Tokens before sequence `s` (up to the sequence count).
    private func start(ofSequence s: Int) -> UInt64 {
        let k = s / MegatronDocuments.stride
        var total = checkpoints[k]
        for q in (k * MegatronDocuments.stride)..<s { total += length(ofSequence: q) }
        return total
    }

    func start(_ d: Int) -> UInt64 {
        d == count ? tokenCount : start(ofSequence: firstSequence(d))
    }

    func lastDocument(atOrBefore position: UInt64) -> Int {
        let k = lastStart(atOrBefore: position, in: documentStarts, count: documentStarts.count)
        var d = k * MegatronDocuments.stride
        while d + 1 < min(count, (k + 1) * MegatronDocuments.stride), start(d + 1) <= position { d += 1 }
        return d
    }

    func withName<R>(_ d: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var name = namePrefix
        Self.appendDecimal(d, to: &name)
        return try name.withUnsafeBytes(body)
    }

    /// Reads the arrays in order, handing back the pages behind it every 1M documents (the
    /// arrays of 10M one-sequence documents are 120 MB, read once per document section of an
    /// index).
    func forEach(_ body: (UInt64, UInt64, UnsafeRawBufferPointer) throws -> Void) rethrows {
        var name = namePrefix
        name.reserveCapacity(namePrefix.count + 20)
        var start: UInt64 = 0
        var s = firstSequence(0)
        var released = (sequence: 0, document: 0)
        func release(sequence: Int, document: Int) {
            pinned.releasePages((lengthsAt + 4 * released.sequence)..<(lengthsAt + 4 * sequence))
            pinned.releasePages((documentIndicesAt + 8 * released.document)..<(documentIndicesAt + 8 * document))
            released = (sequence, document)
        }
        defer { release(sequence: s, document: count + 1) }
        for d in 0..<count {
            if d - released.document >= 1 << 20 { release(sequence: s, document: d) }
            let next = firstSequence(d + 1)
            var tokens: UInt64 = 0
            while s < next { tokens += length(ofSequence: s); s += 1 }
            name.removeSubrange(namePrefix.count...)
            Self.appendDecimal(d, to: &name)
            try name.withUnsafeBytes { try body(start, tokens, $0) }
            start += tokens
        }
    }

    /// Appends the decimal digits of `value` (≥ 0), as `"\(value)"` spells it.
    static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        var digits = 1, v = value
        while v >= 10 { v /= 10; digits += 1 }
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        var i = bytes.count
        v = value
        repeat {
            i -= 1
            bytes[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
        } while v > 0
    }
}
