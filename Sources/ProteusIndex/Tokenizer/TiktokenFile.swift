/// Reader of tiktoken `.tiktoken` rank files: one `base64(bytes) SP rank LF` line per token,
/// ranks strictly increasing. Empty lines are skipped (as tiktoken does) and a CR before the
/// LF is tolerated; anything else malformed is refused with `PATH: line N: what is wrong`.
public enum TiktokenFile {
    /// The ranks in `path` and the SHA-256 of the file's bytes.
    public static func load(path: String) throws -> (ranks: RankTable, sha256: [UInt8]) {
        let file = try SystemFile(openForReading: path)
        let contents = try file.readBytes(at: 0, count: Int(file.size))
        let ranks = try contents.withUnsafeBytes { try parse($0, path: path) }
        return (ranks, SHA256.hash(contents))
    }

    /// Parses the text of a rank file; `path` names it in errors.
    public static func parse(_ text: UnsafeRawBufferPointer, path: String) throws -> RankTable {
        var tokens: [[UInt8]] = []
        // For error messages only: an array, as a dictionary's hashing cost a build 20 ms.
        var lineOfRank: [Int32] = []
        var previous: Int? = nil
        var lineNumber = 0
        var lineStart = 0
        let bytes = text.bindMemory(to: UInt8.self)
        while lineStart < bytes.count {
            lineNumber += 1
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            let next = lineEnd + 1
            if lineEnd > lineStart && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            defer { lineStart = next }
            if lineEnd == lineStart { continue }
            func fail(_ message: String) -> ProteusError {
                ProteusError(.dataError, path: path, "line \(lineNumber): \(message)")
            }
            let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])
            guard let space = line.firstIndex(of: 0x20) else {
                throw fail("missing rank (expected \"BASE64 RANK\")")
            }
            guard let token = Base64.decode(UnsafeBufferPointer(rebasing: line[0..<space])) else {
                throw fail("token \"\(String(decoding: line[0..<space], as: UTF8.self))\" is not valid base64")
            }
            if token.isEmpty { throw fail("token is empty") }
            let rankText = line[(space + 1)...]
            guard !rankText.isEmpty else { throw fail("missing rank (expected \"BASE64 RANK\")") }
            var rank = 0
            for digit in rankText {
                guard digit >= 0x30 && digit <= 0x39 else {
                    throw fail("rank \"\(String(decoding: rankText, as: UTF8.self))\" is not a non-negative integer")
                }
                rank = rank * 10 + Int(digit - 0x30)
                if rank >= 1 << 28 { throw fail("rank \(String(decoding: rankText, as: UTF8.self)) is too large") }
            }
            // Every rank below the largest costs an entry, used or skipped: bound the largest by
            // the file size (a real file has one line of 5+ bytes per rank, skipping a handful)
            // so a short file cannot demand gigabytes.
            if rank >= max(1 << 16, bytes.count) {
                throw fail("rank \(rank) is larger than a rank file of \(bytes.count) bytes can hold")
            }
            if let previous {
                if rank == previous { throw fail("duplicate rank \(rank)") }
                if rank < previous { throw fail("rank \(rank) is out of order (follows rank \(previous))") }
            }
            previous = rank
            while tokens.count < rank { tokens.append([]); lineOfRank.append(0) }
            tokens.append(token)
            lineOfRank.append(Int32(truncatingIfNeeded: lineNumber))
        }
        if tokens.isEmpty { throw ProteusError(.dataError, path: path, "no tokens in rank file") }
        do {
            return try RankTable(tokensByRank: tokens)
        } catch RankTableBuildError.duplicateBytes(let rank, let original) {
            throw ProteusError(.dataError, path: path,
                               "line \(Int(rank) < lineOfRank.count ? Int(lineOfRank[Int(rank)]) : 0): token bytes repeat those of rank \(original)")
        } catch {
            throw ProteusError(.dataError, path: path, "rank file is too large")
        }
    }
}

/// Strict standard base64 (RFC 4648 alphabet, `=` padding, length a multiple of 4).
enum Base64 {
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(c)] = UInt8(i)
        }
        return table
    }()

    /// The decoded bytes, or nil when `text` is not canonical padded base64.
    static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(text.count / 4 * 3)
        var i = 0
        while i < text.count {
            let last = i + 4 == text.count
            let padding = last ? (text[i + 3] == 0x3D ? (text[i + 2] == 0x3D ? 2 : 1) : 0) : 0
            var word: UInt32 = 0
            for j in 0..<4 {
                let c = text[i + j]
                let v: UInt8 = j >= 4 - padding ? 0 : values[Int(c)]
                if v == 0xFF { return nil }
                word = word << 6 | UInt32(v)
            }
            out.append(UInt8(word >> 16))
            if padding < 2 { out.append(UInt8(truncatingIfNeeded: word >> 8)) }
            if padding < 1 { out.append(UInt8(truncatingIfNeeded: word)) }
            i += 4
        }
        return out
    }
}
