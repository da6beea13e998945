/// Says what a file is from its first bytes, so refusals can name it ("a gzip stream", "a
/// PNG image", "one of our .phb indexes") and say what to do instead, and decides whether a
/// file is text. The one place for these magic numbers and for the text test.
public enum FileSniffer {
    /// A file format recognised by its magic bytes.
    public struct Kind: Equatable, Sendable {
        /// "a gzip stream", "a PNG image", …
        public let name: String
        /// What to do with it, when there is something better than "not this".
        public let hint: String?
    }

    /// The format of a file starting with `head`, for the formats people pass by mistake;
    /// nil when none matches (token files and text are decided elsewhere).
    public static func kind(_ head: [UInt8]) -> Kind? {
        func starts(_ magic: [UInt8]) -> Bool { head.starts(with: magic) }
        if starts(IndexFormat.magic) {
            return Kind(name: "a proteus-index index (.phb)", hint: "ask it with `proteus-index query`")
        }
        if starts([0x1F, 0x8B]) { return Kind(name: "a gzip stream", hint: "decompress it first (gzip -dk)") }
        if starts(Array("BZh".utf8)), head.count > 3, (0x31...0x39).contains(head[3]) {
            return Kind(name: "a bzip2 stream", hint: "decompress it first (bzip2 -dk)")
        }
        if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return Kind(name: "an xz stream", hint: "decompress it first (xz -dk)") }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return Kind(name: "a zip archive", hint: "extract it first (unzip)") }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return Kind(name: "a PNG image", hint: nil) }
        if starts([0xFF, 0xD8, 0xFF]) { return Kind(name: "a JPEG image", hint: nil) }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return Kind(name: "a GIF image", hint: nil) }
        if starts(Array("%PDF-".utf8)) { return Kind(name: "a PDF document", hint: nil) }
        if starts([0x7F, 0x45, 0x4C, 0x46]) { return Kind(name: "an ELF executable or library", hint: nil) }
        if starts([0x93] + Array("NUMPY".utf8)) { return Kind(name: "a numpy .npy array", hint: nil) }
        // .pyc: a 2-byte version magic ending in a control byte, "\r\n", then 4 flag bytes.
        if head.count >= 16, head[2] == 0x0D, head[3] == 0x0A, head[1] < 0x20, head[5] == 0, head[6] == 0, head[7] == 0 {
            return Kind(name: "compiled Python bytecode", hint: nil)
        }
        if starts([0xFF, 0xFE]) || starts([0xFE, 0xFF]) {
            return Kind(name: "UTF-16 text", hint: "convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)")
        }
        return nil
    }

    /// UTF-8 without NUL or control bytes other than tab, newline, form feed and carriage
    /// return: text, not tokens. `truncated` (the sample is a prefix of a longer file) allows
    /// a multi-byte character cut off at the end.
    static func looksLikeText(_ bytes: [UInt8], truncated: Bool) -> Bool {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                if b < 0x20 && b != 9 && b != 10 && b != 12 && b != 13 || b == 0x7F { return false }
                i += 1
                continue
            }
            let length = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b <= 0xDF ? 2 : 0
            if length == 0 || b > 0xF4 { return false }
            if i + length > bytes.count { return truncated }
            for k in 1..<length where bytes[i + k] & 0xC0 != 0x80 { return false }
            i += length
        }
        return true
    }

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
            if m == FrameMagic.zstd || m == FrameMagic.lz4 || FrameMagic.isSkippable(m)
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
        if let kind = kind(head) { return "it is " + kind.name }
        if looksLikeText(head, truncated: UInt64(head.count) < fileSize) { return "it looks like a text file" }
        return "unrecognised first bytes " + head.prefix(8).map { String(format2: $0) }.joined(separator: " ")
    }
}
