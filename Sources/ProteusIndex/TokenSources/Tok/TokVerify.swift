/// The outcome of `TokFile.verify()`: every frame decoded and checked against the seek table.
public struct TokVerificationReport: Sendable {
    /// Frames decoded.
    public let framesChecked: Int
    /// Decompressed bytes checked.
    public let bytesChecked: UInt64
    /// One error per bad frame ("frame 3 at byte 4096: checksum mismatch"), in frame order.
    public let failures: [ProteusError]

    /// True when no frame failed.
    public var isValid: Bool { failures.isEmpty }
}

extension TokFile {
    /// Decodes every frame and checks it: the codec's own checks (content size, corruption,
    /// zstd/lz4 content checksum) and an XXH64 of the decoded bytes against the seek table,
    /// whatever `options.verifyChecksums` says. Keeps going after a bad frame so the report
    /// lists them all; I/O errors are thrown.
    public func verify() throws -> TokVerificationReport {
        let cursor = try TokCursor(self)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(frameTokens * storedWidth.byteCount, 64), alignment: 64)
        defer { buffer.deallocate() }
        var failures: [ProteusError] = []
        var bytes: UInt64 = 0
        for f in 0..<frameCount {
            do {
                try cursor.decode(f, into: buffer, forceChecksum: true)
                bytes += UInt64(seekTable.decompressedSizes[f])
            } catch let e as ProteusError where e.kind == .dataError {
                failures.append(e)
            }
            cursor.release(before: UInt64(f + 1) * UInt64(frameTokens))
        }
        return TokVerificationReport(framesChecked: frameCount, bytesChecked: bytes, failures: failures)
    }
}
