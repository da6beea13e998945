/// A byte range of a file, used in place for as long as this object lives (the document
/// tables of `.tok` and Megatron inputs): a slice of the file's mapping; when the file is not
/// mapped, a copy in an unlinked temporary file that is mapped instead; when that cannot be
/// mapped either, a copy in memory. Only the last holds the bytes in the process's own memory.
final class PinnedBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    /// The mapping `bytes` lies in, if any.
    private let map: MappedFile?
    private let held: UnsafeMutableRawBufferPointer?

    /// `count` bytes at `offset` of `file`, a slice of `map` (a mapping of `file`) when given.
    /// `contents` says what they are in a message about the temporary file.
    init(_ file: SystemFile, map mapping: MappedFile?, offset: UInt64, count: Int, contents: String) throws {
        if let mapping {
            map = mapping
            held = nil
            bytes = UnsafeRawBufferPointer(rebasing: mapping.bytes[Int(offset)..<(Int(offset) + count)])
            return
        }
        if count > 0 {
            let spill = try UnlinkedTemporaryFile(name: file.path, holding: contents)
            let run = UnsafeMutableRawBufferPointer.allocate(byteCount: min(count, 1 << 20), alignment: 64)
            defer { run.deallocate() }
            var done = 0
            while done < count {
                let part = UnsafeMutableRawBufferPointer(rebasing: run[0..<min(run.count, count - done)])
                try file.read(into: part, at: offset + UInt64(done))
                try spill.write(UnsafeRawBufferPointer(part))
                done += part.count
            }
            if let copy = try? MappedFile(spill.reopenForReading()) {
                map = copy
                held = nil
                bytes = copy.bytes
                return
            }
        }
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 64)
        if count > 0 { try file.read(into: UnsafeMutableRawBufferPointer(rebasing: copy[0..<count]), at: offset) }
        self.map = nil
        held = copy
        bytes = UnsafeRawBufferPointer(rebasing: copy[0..<count])
    }

    deinit { held?.deallocate() }

    /// Hands the mapped pages back to the kernel (after a pass that read them all): they stay
    /// in the page cache and are read again if touched.
    func releasePages() { releasePages(0..<bytes.count) }

    /// The same for the pages of `range` (offsets in `bytes`), so a pass over many bytes
    /// keeps only the pages it is reading.
    func releasePages(_ range: Range<Int>) {
        guard let map, let base = bytes.baseAddress, !range.isEmpty else { return }
        let from = base - map.bytes.baseAddress!
        map.release((from + range.lowerBound)..<(from + range.upperBound))
    }
}
