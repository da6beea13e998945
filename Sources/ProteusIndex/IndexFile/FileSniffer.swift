/// Guesses what a file that is not a `.phb` index is, so the refusal can say what to do
/// instead of just "bad magic". Looks at the first bytes only.
enum FileSniffer {
    /// A parenthesised explanation for "not a proteus-index file (...)".
    static func explain(_ head: [UInt8], fileSize: UInt64) -> String {
        let build = "; build an index with `proteus-index build`"
        if fileSize == 0 { return "it is empty" }
        func u32(_ at: Int) -> UInt32? {
            guard head.count >= at + 4 else { return nil }
            return UInt32(head[at]) | UInt32(head[at + 1]) << 8 | UInt32(head[at + 2]) << 16 | UInt32(head[at + 3]) << 24
        }
        if let m = u32(0) {
            // Token files are zstd or lz4 frames, possibly led by a skippable metadata frame.
            if m == 0xFD2F_B528 || m == 0x184D_2204 || (m & 0xFFFF_FFF0) == 0x184D_2A50
                || head.starts(with: Array("PTOK".utf8)) {
                return "it looks like a .tok token file" + build
            }
            if m == 20_240_520 || m == 20_240_801 { return "it looks like an llm.c token shard" + build }
        }
        if head.starts(with: Array("MMIDIDX".utf8)) { return "it looks like a Megatron dataset index" + build }
        if head.starts(with: [0x93] + Array("NUMPY".utf8)) { return "it looks like a numpy .npy array" }
        if head.count >= 4, head[1] == 0x50, head[2] == 0x48, head[3] == 0x42 {
            return "its first bytes look like a damaged index header, perhaps from a text-mode transfer"
        }
        if looksLikeText(head, cut: UInt64(head.count) < fileSize) { return "it looks like a text file" }
        return "unrecognised first bytes " + head.prefix(8).map { String(format2: $0) }.joined(separator: " ")
    }

    /// Valid UTF-8 with no control characters other than tab, CR, LF and form feed. When
    /// `cut` (the sample is a prefix of a longer file), up to 3 trailing bytes may belong to
    /// a character the sample cut in half.
    static func looksLikeText(_ bytes: [UInt8], cut: Bool) -> Bool {
        guard bytes.allSatisfy({ $0 >= 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x0C }) else {
            return false
        }
        for drop in 0...(cut ? min(3, bytes.count) : 0) {
            if String(validating: bytes.dropLast(drop), as: UTF8.self) != nil { return true }
        }
        return false
    }
}
