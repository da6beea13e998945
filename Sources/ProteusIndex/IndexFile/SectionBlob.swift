/// The bytes of a large index section, in memory, in an unlinked temporary file, in place in
/// a mapped index, or as a chain of those: a section that grows with the corpus (the routing
/// tier's postings) is built on disk and streamed into the index, so it never has to fit in
/// memory.
public final class SectionBlob: Equatable, @unchecked Sendable {
    private enum Storage {
        case memory([UInt8])
        case file(UnlinkedTemporaryFile, SystemFile)
        /// Bytes of a mapped index, kept alive by `owner`.
        case mapped(UnsafeRawBufferPointer, owner: AnyObject)
        /// Other blobs one after the other, read in place (the shard windows a merge joins).
        case chain([SectionBlob])
        /// Bytes `offset ..< offset + count` of another blob (an append's prefix of windows).
        case slice(SectionBlob, offset: Int)
    }

    private let storage: Storage
    /// Length in bytes.
    public let count: Int

    public init(_ bytes: [UInt8] = []) {
        storage = .memory(bytes)
        count = bytes.count
    }

    /// A view of mapped bytes (a section of an open index), valid while `owner` lives.
    init(mapped bytes: UnsafeRawBufferPointer, owner: AnyObject) {
        storage = .mapped(bytes, owner: owner)
        count = bytes.count
    }

    /// Takes over a finished temporary file.
    init(file: UnlinkedTemporaryFile) throws {
        let reader = try file.reopenForReading()
        storage = .file(file, reader)
        count = Int(reader.size)
    }

    /// `parts` one after the other, without copying them.
    init(concatenating parts: [SectionBlob]) {
        storage = .chain(parts)
        count = parts.reduce(0) { $0 + $1.count }
    }

    /// The first `count` bytes of `blob`, without copying them.
    init(prefix count: Int, of blob: SectionBlob) {
        precondition(count >= 0 && count <= blob.count, "SectionBlob prefix past the end")
        storage = .slice(blob, offset: 0)
        self.count = count
    }

    /// Calls `body` with consecutive runs of the bytes (at most 1 MiB each from a file).
    public func forEachRun(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        switch storage {
        case .memory(let bytes):
            try bytes.withUnsafeBytes { try body($0) }
        case .mapped(let bytes, _):
            try body(bytes)
        case .chain(let parts):
            for part in parts { try part.forEachRun(body) }
        case .slice(let blob, let offset):
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(count, 1 << 20), alignment: 64)
            defer { buffer.deallocate() }
            var done = 0
            while done < count {
                let n = min(buffer.count, count - done)
                let part = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n])
                try blob.read(into: part, at: offset + done)
                try body(UnsafeRawBufferPointer(part))
                done += n
            }
        case .file(_, let reader):
            let run = 1 << 20
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: run, alignment: 64)
            defer { buffer.deallocate() }
            var offset = 0
            while offset < count {
                let n = min(run, count - offset)
                let part = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n])
                try reader.read(into: part, at: UInt64(offset))
                try body(UnsafeRawBufferPointer(part))
                offset += n
            }
        }
    }

    /// Fills `buffer` with the bytes at `offset` (which, with the buffer, must lie within the
    /// blob): a pull-style reader's refill.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws {
        precondition(offset >= 0 && offset + buffer.count <= count, "SectionBlob.read past the end")
        guard buffer.count > 0 else { return }
        switch storage {
        case .memory(let bytes):
            bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: buffer.count) }
        case .mapped(let bytes, _):
            buffer.baseAddress!.copyMemory(from: bytes.baseAddress! + offset, byteCount: buffer.count)
        case .file(_, let reader):
            try reader.read(into: buffer, at: UInt64(offset))
        case .slice(let blob, let start):
            try blob.read(into: buffer, at: start + offset)
        case .chain(let parts):
            var start = 0, done = 0
            for part in parts {
                let end = start + part.count
                if offset + done < end && offset + buffer.count > start {
                    let from = offset + done - start, n = min(end - (offset + done), buffer.count - done)
                    try part.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[done..<done + n]), at: from)
                    done += n
                    if done == buffer.count { return }
                }
                start = end
            }
        }
    }

    /// All the bytes in memory (tests, and copying an index's contents).
    public func bytes() throws -> [UInt8] {
        if case .memory(let bytes) = storage { return bytes }
        var all: [UInt8] = []
        all.reserveCapacity(count)
        try forEachRun { all.append(contentsOf: $0) }
        return all
    }

    public static func == (a: SectionBlob, b: SectionBlob) -> Bool {
        guard a.count == b.count else { return false }
        return (try? a.bytes() == b.bytes()) ?? false
    }
}
