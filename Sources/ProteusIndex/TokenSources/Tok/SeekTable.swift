/// The zstd seekable-format seek table (zstd contrib/seekable_format): a skippable frame with
/// magic 0x184D2A5E holding, per frame, compressed size u32, decompressed size u32 and
/// checksum u32 (low 32 bits of XXH64 of the decompressed frame), then a 9-byte footer:
/// frame count u32, descriptor u8 (bit 7 = checksums present), magic 0x8F92EAB1.
/// Which frames the entries describe depends on the file's `TokSeekLayout`.
struct SeekTable {
    static let frameMagic: UInt32 = 0x184D_2A5E
    static let footerMagic: UInt32 = 0x8F92_EAB1
    static let footerSize = 9
    static let entrySize = 12

    var compressedSizes: [UInt32] = []
    var decompressedSizes: [UInt32] = []
    var checksums: [UInt32] = []

    var count: Int { compressedSizes.count }

    /// Size of the whole skippable frame for `frames` entries.
    static func frameSize(frames: Int) -> Int { SkippableFrame.headerSize + frames * entrySize + footerSize }

    mutating func append(compressed: Int, decompressed: Int, checksum: UInt32) {
        compressedSizes.append(UInt32(compressed))
        decompressedSizes.append(UInt32(decompressed))
        checksums.append(checksum)
    }

    /// Lists a skippable frame of `frameSize` bytes: seekable readers find each frame by
    /// adding up the sizes before it from byte 0, and it decompresses to nothing.
    mutating func appendSkippable(frameSize: Int) {
        append(compressed: frameSize, decompressed: 0, checksum: 0)
    }

    /// Entries `range` as a table of their own.
    func slice(_ range: Range<Int>) -> SeekTable {
        var t = SeekTable()
        t.compressedSizes = Array(compressedSizes[range])
        t.decompressedSizes = Array(decompressedSizes[range])
        t.checksums = Array(checksums[range])
        return t
    }

    func encode() -> [UInt8] {
        var out = SkippableFrame.header(magic: SeekTable.frameMagic, payloadSize: count * SeekTable.entrySize + SeekTable.footerSize)
        out.reserveCapacity(SeekTable.frameSize(frames: count))
        for i in 0..<count {
            out += littleEndianBytes(compressedSizes[i]) + littleEndianBytes(decompressedSizes[i]) + littleEndianBytes(checksums[i])
        }
        out += littleEndianBytes(UInt32(count)) + [0x80] + littleEndianBytes(SeekTable.footerMagic)
        return out
    }

    /// Reads the footer (the last 9 bytes of the file) and returns the frame count it declares.
    static func frameCount(footer: [UInt8], path: String) throws -> Int {
        guard footer.count == footerSize, footer.u32(at: 5) == footerMagic else {
            throw ProteusError(.dataError, path: path, "no seek table at the end of the file (truncated, or not finished writing)")
        }
        guard footer[4] == 0x80 else {
            throw ProteusError(.dataError, path: path, "seek table descriptor 0x\(String(footer[4], radix: 16)) is not supported (checksums required, reserved bits zero)")
        }
        return Int(footer.u32(at: 0))
    }

    /// Parses a whole seek-table frame of `frames` entries.
    static func decode(_ bytes: [UInt8], frames: Int, at offset: UInt64, path: String) throws -> SeekTable {
        guard bytes.u32(at: 0) == frameMagic, Int(bytes.u32(at: 4)) == frames * entrySize + footerSize else {
            throw ProteusError.corrupt(path, at: offset, "seek table frame header does not match its footer (\(frames) frames)")
        }
        var t = SeekTable()
        t.compressedSizes.reserveCapacity(frames)
        t.decompressedSizes.reserveCapacity(frames)
        t.checksums.reserveCapacity(frames)
        for i in 0..<frames {
            let at = 8 + i * entrySize
            t.append(compressed: Int(bytes.u32(at: at)), decompressed: Int(bytes.u32(at: at + 4)), checksum: bytes.u32(at: at + 8))
        }
        return t
    }
}
