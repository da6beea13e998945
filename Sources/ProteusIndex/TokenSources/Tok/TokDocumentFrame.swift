/// The document table frame (skippable, magic 0x184D2A51): "PDOC", count u64, then per
/// document start u64, length u64, name length u32 and UTF-8 name; then the low 32 bits of
/// XXH64 of everything before it in the payload.
///
/// Neither side holds the table in memory: the writer spills the records to an unlinked
/// temporary file once they pass 1 MiB, and the reader checks the frame once and then reads
/// it in place (`TokDocuments`).
enum TokDocumentFrame {
    static let frameMagic: UInt32 = 0x184D_2A51
    /// Bytes of a record before its name.
    static let recordHeader = 20

    /// Checks the frame found at byte `offset` of `path`: header and checksum, every record
    /// inside the frame, each document starting where the previous one ends, and the
    /// documents covering `totalTokens`. The documents are then read from `frame` in place.
    static func decode(_ frame: PinnedBytes, at offset: UInt64, totalTokens: UInt64, path: String) throws -> TokDocuments {
        let bytes = frame.bytes
        func fail(_ m: String) -> ProteusError { ProteusError.corrupt(path, at: offset, "document table: " + m) }
        // Both passes hand back the pages behind them: the frame of 10M documents is 500 MB.
        if let problem = SkippableFrame.problem(ofSealed: bytes, magic: frameMagic, tag: "PDOC",
                                                done: { frame.releasePages($0) }) { throw fail(problem) }
        func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        let count = u64(12)
        var checkpoints: [(offset: Int, start: UInt64)] = []
        var covered: UInt64 = 0
        var at = 20, released = 0
        let end = bytes.count - 4
        defer { frame.releasePages(released..<bytes.count) }
        for i in 0..<count {
            guard at + recordHeader <= end else { throw fail("entry \(i) runs past the table") }
            let start = u64(at), length = u64(at + 8)
            let nameLength = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 16, as: UInt32.self)))
            guard at + recordHeader + nameLength <= end else { throw fail("entry \(i) runs past the table") }
            guard start == covered else { throw fail("document \(i) starts at token \(start), expected \(covered)") }
            let (next, overflow) = covered.addingReportingOverflow(length)
            guard !overflow else { throw fail("document \(i) has \(length) tokens: the documents cover more than 2^64") }
            if i % UInt64(TokDocuments.stride) == 0 {
                checkpoints.append((at, start))
                if at - released >= TokDocuments.releaseEvery {
                    frame.releasePages(released..<at)
                    released = at
                }
            }
            covered = next
            at += recordHeader + nameLength
        }
        guard at == end else { throw fail("\(end - at) stray bytes after the last document") }
        guard covered == totalTokens else {
            throw fail("documents cover \(covered) tokens, the header says \(totalTokens)")
        }
        return TokDocuments(frame, count: Int(count), checkpoints: checkpoints.map(\.offset),
                            checkpointStarts: checkpoints.map(\.start), tokenCount: covered)
    }

    /// Collects the records as documents close, then writes the frame.
    final class Writer {
        private var count: UInt64 = 0
        private var buffer: [UInt8] = []
        private var spill: UnlinkedTemporaryFile?
        private var spilled: UInt64 = 0
        private let path: String
        private static let spillAt = 1 << 20

        /// `path` names the `.tok` being written in messages.
        init(path: String) { self.path = path }

        func add(name: String, start: UInt64, length: UInt64) throws {
            let name = Array(name.utf8)
            buffer += littleEndianBytes(start) + littleEndianBytes(length) + littleEndianBytes(UInt32(name.count)) + name
            count += 1
            if buffer.count >= Writer.spillAt {
                if spill == nil {
                    spill = try UnlinkedTemporaryFile(name: path, holding: "the document table")
                }
                try buffer.withUnsafeBytes { try spill!.write($0) }
                spilled += UInt64(buffer.count)
                buffer.removeAll(keepingCapacity: true)
            }
        }

        /// Writes the whole frame to `output` and returns its size in bytes.
        func write(to output: TokOutput) throws -> Int {
            let payload = 12 + spilled + UInt64(buffer.count) + 4
            guard payload <= UInt64(UInt32.max) else {
                throw ProteusError(.dataError, path: path,
                                   "the table of \(count) documents takes \(payload) bytes, more than a .tok document frame holds (4 GiB)")
            }
            var hasher = XXH64()
            func emit(_ bytes: UnsafeRawBufferPointer, hashed: Bool = true) throws {
                if hashed { hasher.update(bytes) }
                try output.write(bytes)
            }
            try SkippableFrame.header(magic: frameMagic, payloadSize: Int(payload)).withUnsafeBytes { try emit($0, hashed: false) }
            try (Array("PDOC".utf8) + littleEndianBytes(count)).withUnsafeBytes { try emit($0) }
            if let spill { try SectionBlob(file: spill).forEachRun { try emit($0) } }
            try buffer.withUnsafeBytes { try emit($0) }
            try littleEndianBytes(UInt32(truncatingIfNeeded: hasher.digest())).withUnsafeBytes { try emit($0, hashed: false) }
            return 8 + Int(payload)
        }
    }
}

/// The documents of a `.tok` file read in place from its checked document frame. Records have
/// names of any length, so the offset and start of every 64th record are kept (16 bytes per
/// 64 documents): a record is found by walking at most 63 records from there, and the
/// document holding a position by a search in memory and such a walk (a binary search over
/// the frame would read a page at each step).
final class TokDocuments: DocumentStorage, @unchecked Sendable {
    static let stride = 64
    static let releaseEvery = 16 << 20

    /// The frame's bytes (in the `.tok`'s mapping, or a mapped or in-memory copy).
    private let pinned: PinnedBytes
    private let frame: UnsafeRawBufferPointer
    let count: Int
    /// Byte offset in `frame` of record `k × stride`, and its start.
    private let checkpoints: [Int]
    private let checkpointStarts: [UInt64]
    let tokenCount: UInt64

    init(_ frame: PinnedBytes, count: Int, checkpoints: [Int], checkpointStarts: [UInt64], tokenCount: UInt64) {
        pinned = frame
        self.frame = frame.bytes
        self.count = count
        self.checkpoints = checkpoints
        self.checkpointStarts = checkpointStarts
        self.tokenCount = tokenCount
    }

    var heldBytes: Int { checkpoints.capacity * 8 + checkpointStarts.capacity * 8 }

    @inline(__always) private func nameLength(at record: Int) -> Int {
        Int(UInt32(littleEndian: frame.loadUnaligned(fromByteOffset: record + 16, as: UInt32.self)))
    }

    /// Byte offset of record `i`.
    private func record(_ i: Int) -> Int {
        var at = checkpoints[i / TokDocuments.stride]
        for _ in 0..<(i % TokDocuments.stride) { at += TokDocumentFrame.recordHeader + nameLength(at: at) }
        return at
    }

    func start(_ i: Int) -> UInt64 {
        i == count ? tokenCount : UInt64(littleEndian: frame.loadUnaligned(fromByteOffset: record(i), as: UInt64.self))
    }

    func lastDocument(atOrBefore position: UInt64) -> Int {
        let k = lastStart(atOrBefore: position, in: checkpointStarts, count: checkpointStarts.count)
        var d = k * TokDocuments.stride
        var at = checkpoints[k]
        while d + 1 < min(count, (k + 1) * TokDocuments.stride) {
            let next = at + TokDocumentFrame.recordHeader + nameLength(at: at)
            guard UInt64(littleEndian: frame.loadUnaligned(fromByteOffset: next, as: UInt64.self)) <= position else { break }
            at = next
            d += 1
        }
        return d
    }

    func withName<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let at = record(i) + TokDocumentFrame.recordHeader
        return try body(UnsafeRawBufferPointer(rebasing: frame[at..<(at + nameLength(at: at - TokDocumentFrame.recordHeader))]))
    }

    /// Reads the records in order, handing back the pages behind it every 16 MiB: the frame
    /// of 10M documents is 500 MB, read once per document section of an index.
    func forEach(_ body: (UInt64, UInt64, UnsafeRawBufferPointer) throws -> Void) rethrows {
        var at = checkpoints.first ?? 0
        var released = 0
        defer { pinned.releasePages(released..<frame.count) }
        for _ in 0..<count {
            if at - released >= TokDocuments.releaseEvery {
                pinned.releasePages(released..<at)
                released = at
            }
            let start = UInt64(littleEndian: frame.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            let length = UInt64(littleEndian: frame.loadUnaligned(fromByteOffset: at + 8, as: UInt64.self))
            let name = at + TokDocumentFrame.recordHeader
            let next = name + nameLength(at: at)
            try body(start, length, UnsafeRawBufferPointer(rebasing: frame[name..<next]))
            at = next
        }
    }
}
