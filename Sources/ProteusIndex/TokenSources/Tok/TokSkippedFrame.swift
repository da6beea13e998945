/// A file an `encode` of a folder left out, and why ("not text (a gzip stream)", "at byte
/// 9: invalid UTF-8"): printed as it happens and recorded in the `.tok`, so `inspect` can
/// list what the corpus lacks.
public struct SkippedFile: Equatable, Sendable {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// The skipped-files frame (skippable, magic 0x184D2A52), written right after the document
/// table only when files were skipped, and listed in the seek table after it like every
/// other frame (format version 2): "PSKP", count u64, per file the path and the reason
/// (length u32 and UTF-8 each); then the low 32 bits of XXH64 of everything before it in
/// the payload.
enum TokSkippedFrame {
    static let frameMagic: UInt32 = 0x184D_2A52

    static func encode(_ files: [SkippedFile]) -> [UInt8] {
        var p = Array("PSKP".utf8) + littleEndianBytes(UInt64(files.count))
        for f in files {
            for text in [f.path, f.reason] {
                let bytes = Array(text.utf8)
                p += littleEndianBytes(UInt32(bytes.count)) + bytes
            }
        }
        return SkippableFrame.sealed(magic: frameMagic, payload: p)
    }

    static func decode(_ bytes: [UInt8], at offset: UInt64, path: String) throws -> [SkippedFile] {
        func fail(_ m: String) -> ProteusError { ProteusError.corrupt(path, at: offset, "skipped-files table: " + m) }
        if let problem = SkippableFrame.problem(ofSealed: bytes, magic: frameMagic, tag: "PSKP") { throw fail(problem) }
        let count = bytes.u64(at: 12)
        let end = bytes.count - 4
        var at = 20
        var files: [SkippedFile] = []
        func text(_ entry: UInt64) throws -> String {
            guard at + 4 <= end else { throw fail("entry \(entry) runs past the table") }
            let length = Int(bytes.u32(at: at))
            guard length <= end - at - 4 else { throw fail("entry \(entry) runs past the table") }
            defer { at += 4 + length }
            return String(decoding: bytes[(at + 4)..<(at + 4 + length)], as: UTF8.self)
        }
        for i in 0..<count {
            guard at < end else { throw fail("entry \(i) runs past the table") }
            let path = try text(i)
            files.append(SkippedFile(path: path, reason: try text(i)))
        }
        guard at == end else { throw fail("\(end - at) stray bytes after the last entry") }
        return files
    }
}
