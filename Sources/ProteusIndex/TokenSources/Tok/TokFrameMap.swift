/// Which frames the seek table of a `.tok` lists.
///
/// Version 1 listed only the data frames. A zstd seekable reader finds frame k at the sum of
/// the compressed sizes of entries 0..<k from byte 0, so it misread those files. From version 2
/// the table lists every frame in file order: the metadata frame, the data frames, the document
/// table and, when an encode left files out, the skipped-files table; every skippable frame as
/// an entry of 0 decompressed bytes and checksum 0.
public enum TokSeekLayout: Sendable, Equatable {
    /// Version 1: data frames only; zstd seekable readers cannot use the table.
    case dataFramesOnly
    /// Version 2 and later: every frame, as the zstd seekable format requires.
    case everyFrame

    /// The first format version whose seek table lists every frame.
    static let everyFrameSince: UInt16 = 2

    init(formatVersion: UInt16) {
        self = formatVersion < TokSeekLayout.everyFrameSince ? .dataFramesOnly : .everyFrame
    }

    /// The name `inspect --json` prints.
    public var name: String { self == .everyFrame ? "every-frame" : "data-frames-only" }

    /// Seek-table entries before the first data frame (the metadata frame) and after the last
    /// (the document table).
    var skippableEntries: Int { self == .everyFrame ? 2 : 0 }
}

/// Where the data frames of a `.tok` are, found through its seek table and checked against the
/// header and the file size at open time (O(frames), no frame read). Every refusal names the
/// data frame ("frame 3 at byte 1234") or the seek-table entry it concerns.
struct TokFrameMap {
    /// The entries of the data frames only, in order.
    let data: SeekTable
    /// Byte offset of each data frame, plus one entry for the end of the last.
    let offsets: [UInt64]
    /// Entries in the seek table as written.
    let entryCount: Int
    /// Where the skipped-files frame is, when the file has one (version 2, the entry after the
    /// document table).
    let skipped: (offset: UInt64, count: Int)?

    /// Reads the seek table of a file of `fileSize` bytes whose metadata frame (`headerSize`
    /// bytes) says `header`; `read(offset, count)` fetches bytes of the file.
    init(header: TokHeader, headerSize: UInt64, fileSize size: UInt64, path: String,
         read: (UInt64, Int) throws -> [UInt8]) throws {
        func fail(_ m: String) -> ProteusError { ProteusError(.dataError, path: path, m) }
        guard size >= headerSize + UInt64(SeekTable.footerSize) else {
            throw fail("no seek table at the end of the file (truncated, or not finished writing)")
        }
        let entries = try SeekTable.frameCount(footer: read(size - 9, 9), path: path)
        let layout = header.layout
        // One more skippable entry at the end when the file lists its skipped files.
        let trailing = layout == .everyFrame && UInt64(entries) == header.dataFrameCount &+ 3 ? 1 : 0
        let skippable = layout.skippableEntries + trailing
        guard entries >= skippable, UInt64(entries - skippable) == header.dataFrameCount else {
            if layout == .dataFramesOnly { throw fail("seek table lists \(entries) frames, the header says \(header.dataFrameCount)") }
            throw fail("seek table lists \(entries) frames, but the header's \(header.dataFrameCount) data frames "
                       + "and the metadata and document frames make \(header.dataFrameCount &+ 2)")
        }
        let seekSize = UInt64(SeekTable.frameSize(frames: entries))
        guard seekSize + headerSize <= size else {
            throw fail("seek table of \(entries) frames (\(seekSize) bytes) does not fit in the file of \(size) bytes")
        }
        let seekOffset = size - seekSize
        let table = try SeekTable.decode(read(seekOffset, Int(seekSize)), frames: entries, at: seekOffset, path: path)
        let frames = entries - skippable, first = layout.skippableEntries / 2
        func entry(_ k: Int) -> (c: UInt64, d: UInt64, sum: UInt32) {
            (UInt64(table.compressedSizes[k]), UInt64(table.decompressedSizes[k]), table.checksums[k])
        }
        if layout == .everyFrame {
            let e = entry(0)
            guard e == (headerSize, 0, 0) else {
                throw fail("seek table entry 0 lists \(e.c) bytes holding \(e.d) (checksum \(e.sum)), "
                           + "but the metadata frame at byte 0 is \(headerSize) bytes holding none (checksum 0)")
            }
        }
        var offsets = [UInt64](); offsets.reserveCapacity(frames + 1)
        var at = headerSize, tokens: UInt64 = 0
        let width = UInt64(header.width.byteCount), frameBytes = UInt64(header.frameTokens) * width
        // Above ZSTD_compressBound (n + n/256 + ...) and LZ4F's bound (n + n/255 + ...): bounds pread buffers.
        let compressedLimit = frameBytes + frameBytes / 128 + 65_536
        for i in 0..<frames {
            offsets.append(at)
            let k = i + first, (c, d, _) = entry(k)
            // Built only on failure: a message per frame cost a 100M-token corpus's open 6,104 strings.
            var here: String { "frame \(i) at byte \(at): " }
            guard d > 0 || layout == .dataFramesOnly else {
                throw fail(here + "seek table entry \(k) lists it as a skippable frame (0 decompressed bytes), but it is data frame \(i) of \(frames)")
            }
            guard d <= frameBytes else {
                throw fail(here + "seek table declares \(d) decompressed bytes, more than a frame's \(frameBytes)")
            }
            guard d % width == 0 else {
                throw fail(here + "\(d) decompressed bytes is not a whole number of \(header.width) tokens")
            }
            guard d == frameBytes || i == frames - 1, d > 0 else {
                throw fail(here + "holds \(d) bytes, but every frame but the last holds \(frameBytes)")
            }
            guard c <= compressedLimit else {
                throw fail(here + "compressed size \(c) is larger than any frame of \(frameBytes) bytes can be")
            }
            guard at + c <= seekOffset else {
                throw fail(here + "its \(c) bytes end at byte \(at + c), past the seek table at byte \(seekOffset): "
                           + "the seek table's sizes add up to more than the file")
            }
            at += c; tokens += d / width
        }
        offsets.append(at)
        var skippedFrame: (UInt64, Int)?
        if layout == .everyFrame {
            let k = first + frames, e = entry(k)
            var end = at
            for j in k..<entries {
                let t = entry(j)
                guard t.d == 0, t.sum == 0 else {
                    let what = j == k ? "the document table" : "the skipped-files table"
                    throw fail("seek table entry \(j), \(what) at byte \(end), lists \(t.d) decompressed bytes "
                               + "(checksum \(t.sum)), but it is a skippable frame: 0 bytes, checksum 0")
                }
                if j > k { skippedFrame = (end, Int(t.c)) }
                end += t.c
            }
            guard end == seekOffset else {
                throw fail("seek table entries 0...\(entries - 1) add up to \(end) bytes, but the seek table starts at byte \(seekOffset)")
            }
            guard (at, e.c) == (header.documentTableOffset, header.documentTableLength) else {
                throw fail("seek table entry \(k) puts the document table at byte \(at) (\(e.c) bytes), "
                           + "the header at byte \(header.documentTableOffset) (\(header.documentTableLength) bytes)")
            }
        } else {
            // A garbage document-table length must give the size message, not an overflow trap.
            let described = header.documentTableLength <= size ? at + header.documentTableLength + seekSize : UInt64.max
            guard described == size else {
                throw fail("seek table describes \(described) bytes but the file has \(size)")
            }
            guard header.documentTableOffset == at else {
                throw fail("document table at byte \(header.documentTableOffset), but the frames end at byte \(at)")
            }
        }
        guard tokens == header.totalTokens else {
            throw fail("frames hold \(tokens) tokens, the header says \(header.totalTokens)")
        }
        data = table.slice(first..<(first + frames))
        self.offsets = offsets
        entryCount = entries
        skipped = skippedFrame.map { (offset: $0.0, count: $0.1) }
    }
}
