#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A run of tokens stored back to back in one file.
struct TokenSegment: Sendable {
    /// Byte offset of the first token in the file.
    var byteOffset: UInt64
    var tokenCount: UInt64

    /// Collects segments in stream order, leaving out empty ones and joining each to the
    /// previous when it follows it in the file, so a Megatron dataset written in order is one
    /// run however many sequences it lists.
    struct Merger {
        let elementBytes: UInt64
        private(set) var merged: [TokenSegment] = []

        init(elementBytes: UInt64) { self.elementBytes = elementBytes }

        mutating func add(_ s: TokenSegment) {
            guard s.tokenCount > 0 else { return }
            if let last = merged.last, last.byteOffset + last.tokenCount * elementBytes == s.byteOffset {
                merged[merged.count - 1].tokenCount += s.tokenCount
            } else {
                merged.append(s)
            }
        }
    }
}

/// Where a headerless-or-headered token file keeps its tokens: one file, an element type,
/// and the runs of tokens in stream order (one run for raw and llm.c files, one per
/// non-adjacent sequence for Megatron). Shared by every cursor of a source.
///
/// The file is mapped when possible (ripgrep's policy: mapping and `pread` are
/// interchangeable, and a failed map is not an error), so cursors can hand out pointers
/// into the mapping; `forcePread` exists so tests can prove both paths agree.
final class TokenFileLayout: @unchecked Sendable {
    let file: SystemFile
    let map: MappedFile?
    let element: StoredElement
    let segments: [TokenSegment]
    /// `starts[i]` is the stream position of `segments[i]`'s first token; one extra entry
    /// holds the total, so `starts.last` is the token count.
    let starts: [UInt64]

    /// Takes `segments` already checked to lie inside `file`; adjacent ones are merged so a
    /// Megatron dataset written in order reads as one flat run.
    init(file: SystemFile, element: StoredElement, segments: [TokenSegment], forcePread: Bool) {
        self.file = file
        self.element = element
        var merger = TokenSegment.Merger(elementBytes: UInt64(element.byteCount))
        for s in segments { merger.add(s) }
        let merged = merger.merged
        self.segments = merged
        var starts: [UInt64] = []
        starts.reserveCapacity(merged.count + 1)
        var total: UInt64 = 0
        for s in merged { starts.append(total); total += s.tokenCount }
        starts.append(total)
        self.starts = starts
        if !forcePread, total > 0, let map = try? MappedFile(file) {
            map.advise(.sequential)
            self.map = map
        } else {
            self.map = nil
        }
    }

    var tokenCount: UInt64 { starts[starts.count - 1] }

    /// Index of the segment holding stream position `position` (< tokenCount).
    func segment(containing position: UInt64, hint: Int) -> Int {
        if hint < segments.count, starts[hint] <= position, position < starts[hint + 1] { return hint }
        return lastStart(atOrBefore: position, in: starts, count: segments.count)
    }
}

/// The cursor of every `TokenFileLayout`-backed source. Windows inside one segment of a
/// mapped u32 file are returned in place (zero copy); everything else is widened or
/// copied into a buffer the cursor owns and reuses.
final class TokenFileCursor: TokenCursor {
    private let layout: TokenFileLayout
    private var buffer: UnsafeMutablePointer<UInt32>
    private var bufferCapacity = 0
    private var scratch: UnsafeMutableRawPointer
    private var scratchCapacity = 0
    private var segmentHint = 0
    /// Positions before this have already been handed back to the kernel.
    private var releasedBefore: UInt64 = 0
    private let pageSize = UInt64(sysconf(Int32(_SC_PAGESIZE)))

    init(_ layout: TokenFileLayout) {
        self.layout = layout
        buffer = .allocate(capacity: 0)
        scratch = .allocate(byteCount: 0, alignment: 64)
    }

    deinit {
        buffer.deallocate()
        scratch.deallocate()
    }

    func read(start: UInt64, count: Int) throws -> UnsafeBufferPointer<UInt32> {
        let total = layout.tokenCount
        guard start < total, count > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
        let n = Int(min(UInt64(count), total - start))
        try layout.map?.checkNotTruncated()  // SIGBUS otherwise
        var s = layout.segment(containing: start, hint: segmentHint)
        segmentHint = s
        let inSegment = start - layout.starts[s]
        let width = UInt64(layout.element.byteCount)
        if let map = layout.map, layout.element == .u32, start + UInt64(n) <= layout.starts[s + 1] {
            let address = map.bytes.baseAddress! + Int(layout.segments[s].byteOffset + inSegment * width)
            if Int(bitPattern: address) & 3 == 0 {
                return UnsafeBufferPointer(start: address.assumingMemoryBound(to: UInt32.self), count: n)
            }
        }
        reserve(tokens: n)
        var filled = 0
        var offset = inSegment
        while filled < n {
            let take = Int(min(UInt64(n - filled), layout.segments[s].tokenCount - offset))
            try fill(buffer + filled, from: layout.segments[s].byteOffset + offset * width, count: take)
            filled += take
            s += 1
            offset = 0
        }
        return UnsafeBufferPointer(start: buffer, count: n)
    }

    /// Hands the mapped pages of every position before `position` back to the kernel so
    /// resident memory stays bounded by the window size, whatever the file size.
    func release(before position: UInt64) {
        guard let map = layout.map, position > releasedBefore else { return }
        let end = min(position, layout.tokenCount)
        guard end > releasedBefore else { return }
        let width = UInt64(layout.element.byteCount)
        var s = layout.segment(containing: releasedBefore, hint: segmentHint)
        while s < layout.segments.count, layout.starts[s] < end {
            let from = max(releasedBefore, layout.starts[s]) - layout.starts[s]
            let to = min(end, layout.starts[s + 1]) - layout.starts[s]
            let base = layout.segments[s].byteOffset
            // Round the start down: the partial page before it holds only released tokens
            // (or another segment's, which simply faults back in from the page cache).
            let lower = (base + from * width) / pageSize * pageSize
            map.release(Int(lower)..<Int(base + to * width))
            s += 1
        }
        releasedBefore = end
    }

    private func fill(_ destination: UnsafeMutablePointer<UInt32>, from byteOffset: UInt64, count: Int) throws {
        let bytes = count * layout.element.byteCount
        if let map = layout.map {
            TokenWidening.widen(layout.element, from: map.bytes.baseAddress! + Int(byteOffset), count: count,
                                into: destination, scratch: scratch)
        } else if layout.element == .u32 {
            try layout.file.read(into: UnsafeMutableRawBufferPointer(start: destination, count: bytes), at: byteOffset)
        } else {
            try layout.file.read(into: UnsafeMutableRawBufferPointer(start: scratch, count: bytes), at: byteOffset)
            TokenWidening.widen(layout.element, from: scratch, count: count, into: destination, scratch: scratch)
        }
    }

    private func reserve(tokens n: Int) {
        if n > bufferCapacity {
            buffer.deallocate()
            buffer = .allocate(capacity: n)
            bufferCapacity = n
        }
        let bytes = n * layout.element.byteCount
        if layout.element != .u32, bytes > scratchCapacity {
            scratch.deallocate()
            scratch = .allocate(byteCount: bytes, alignment: 64)
            scratchCapacity = bytes
        }
    }
}
