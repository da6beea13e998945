extension TokFile {
    /// XXH64 of the seek table (every frame's sizes and content checksum) and the token
    /// count: it changes whenever any frame's content does, without reading the frames.
    public func contentHash() -> UInt64 {
        var hasher = XXH64()
        for i in 0..<seekTable.count {
            var entry = (seekTable.compressedSizes[i].littleEndian, seekTable.decompressedSizes[i].littleEndian,
                         (i < seekTable.checksums.count ? seekTable.checksums[i] : 0).littleEndian)
            withUnsafeBytes(of: &entry) { hasher.update($0) }
        }
        var tokens = tokenCount.littleEndian
        withUnsafeBytes(of: &tokens) { hasher.update($0) }
        return hasher.digest()
    }
}
