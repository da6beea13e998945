/// Reads windows of a `TokFile`, decoding one frame at a time into reused buffers.
///
/// A window inside one u32 frame is returned straight from the frame buffer (no copy); a
/// window spanning frames is assembled in a window buffer, frames it covers whole being
/// decoded directly into it. u16 files are widened while assembling. The last two frames
/// decoded are kept, so reads that straddle a frame boundary (a query's passage near a
/// window's edge) do not decode the frame they came from again.
final class TokCursor: TokenCursor {
    let file: TokFile
    private let decompressor: FrameDecompressor
    private let frameBytes: Int
    private let frameBuffers: [UnsafeMutableRawPointer]
    /// The frame held by each buffer (-1: none), and which buffer was used last.
    private var decodedFrames = [-1, -1]
    private var lastUsed = 0
    private var window: UnsafeMutablePointer<UInt32>?
    private var windowCapacity = 0
    /// pread mode: compressed bytes of the current frame.
    private var compressed: UnsafeMutableRawPointer?
    private var compressedCapacity = 0
    /// mmap mode: bytes below this offset have been released.
    private var releasedBelow = 0

    init(_ file: TokFile) throws {
        self.file = file
        self.decompressor = try file.codec.makeDecompressor()
        self.frameBytes = file.frameTokens * file.storedWidth.byteCount
        let bytes = max(frameBytes, 64)
        self.frameBuffers = (0..<2).map { _ in .allocate(byteCount: bytes, alignment: 64) }
    }

    deinit {
        for b in frameBuffers { b.deallocate() }
        window?.deallocate()
        compressed?.deallocate()
    }

    func read(start: UInt64, count: Int) throws -> UnsafeBufferPointer<UInt32> {
        let total = file.tokenCount
        guard start < total, count > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
        let end = min(start + UInt64(count), total)
        let n = Int(end - start)
        let ft = UInt64(file.frameTokens)
        let first = Int(start / ft), last = Int((end - 1) / ft)
        let wide = file.storedWidth == .u32
        if wide && first == last {
            let p = try decodeCached(first).assumingMemoryBound(to: UInt32.self) + Int(start - UInt64(first) * ft)
            return UnsafeBufferPointer(start: p, count: n)
        }
        if windowCapacity < n {
            window?.deallocate()
            window = .allocate(capacity: n)
            windowCapacity = n
        }
        let out = window!
        for f in first...last {
            let frameStart = UInt64(f) * ft
            let lo = max(start, frameStart), hi = min(end, frameStart + ft)
            let dst = out + Int(lo - start)
            let pieceCount = Int(hi - lo), skip = Int(lo - frameStart)
            if wide && !decodedFrames.contains(f) && skip == 0 && pieceCount == frameTokenCount(f) {
                try decode(f, into: UnsafeMutableRawPointer(dst))
                continue
            }
            let frame = try decodeCached(f)
            if wide {
                dst.update(from: frame.assumingMemoryBound(to: UInt32.self) + skip, count: pieceCount)
            } else {
                let src = frame.assumingMemoryBound(to: UInt16.self) + skip
                for i in 0..<pieceCount { dst[i] = UInt32(src[i]) }
            }
        }
        return UnsafeBufferPointer(start: out, count: n)
    }

    private func frameTokenCount(_ f: Int) -> Int {
        Int(file.seekTable.decompressedSizes[f]) / file.storedWidth.byteCount
    }

    /// The buffer holding frame `f`, decoding it into the less recently used one if needed.
    private func decodeCached(_ f: Int) throws -> UnsafeMutableRawPointer {
        if let slot = decodedFrames.firstIndex(of: f) {
            lastUsed = slot
            return frameBuffers[slot]
        }
        let slot = 1 - lastUsed
        decodedFrames[slot] = -1
        try decode(f, into: frameBuffers[slot])
        decodedFrames[slot] = f
        lastUsed = slot
        return frameBuffers[slot]
    }

    /// Decodes frame `f` into `destination` (which holds its decompressed size) and checks it.
    func decode(_ f: Int, into destination: UnsafeMutableRawPointer, forceChecksum: Bool = false) throws {
        let (offset, size) = file.frameRange(f)
        let expected = Int(file.seekTable.decompressedSizes[f])
        let source: UnsafeRawBufferPointer
        if let map = file.mapped {
            try map.checkNotTruncated()  // SIGBUS otherwise
            source = UnsafeRawBufferPointer(rebasing: map.bytes[Int(offset)..<(Int(offset) + size)])
        } else {
            if compressedCapacity < size {
                compressed?.deallocate()
                compressed = .allocate(byteCount: size, alignment: 64)
                compressedCapacity = size
            }
            let buffer = UnsafeMutableRawBufferPointer(start: compressed!, count: size)
            try file.file.read(into: buffer, at: offset)
            source = UnsafeRawBufferPointer(buffer)
        }
        func fail(_ m: String) -> ProteusError { ProteusError(.dataError, path: file.name, "frame \(f) at byte \(offset): \(m)") }
        do {
            try decompressor.decompress(source, into: destination, expectedSize: expected)
        } catch let e as CodecError {
            throw fail(e.isChecksumMismatch ? "checksum mismatch" : e.message)
        }
        guard file.options.verifyChecksums || forceChecksum else { return }
        let stored = file.seekTable.checksums[f]
        let actual: UInt32
        if file.codec != .lz4 && !forceChecksum && source[4] & 0b100 != 0 {
            // libzstd has just verified the frame's own checksum (low 32 bits of XXH64 of the
            // content): comparing it with the seek table proves the table entry too.
            actual = source.loadUnaligned(fromByteOffset: size - 4, as: UInt32.self)
        } else {
            actual = UInt32(truncatingIfNeeded: XXH64.hash(UnsafeRawBufferPointer(start: destination, count: expected)))
        }
        guard actual == stored else { throw fail("checksum mismatch") }
    }

    func release(before position: UInt64) {
        guard let map = file.mapped, file.frameCount > 0 else { return }
        let f = min(Int(position / UInt64(file.frameTokens)), file.frameCount)
        let upTo = Int(file.frameOffsets[f])
        guard upTo > releasedBelow else { return }
        map.release(releasedBelow..<upTo)
        releasedBelow = upTo
    }
}
