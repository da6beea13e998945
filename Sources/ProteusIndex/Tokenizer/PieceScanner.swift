/// Cuts valid UTF-8 text into the pieces of a split pattern, without a regex engine.
///
/// Each `…PieceEnd(from:)` returns where the match starting at `p` ends, trying the
/// pattern's alternatives in order exactly as a backtracking engine would (leftmost-first,
/// possessive quantifiers never give back). Every character matches some alternative of both
/// patterns, so pieces tile the text. The text must already be valid UTF-8.
struct PieceScanner {
    let text: UnsafePointer<UInt8>
    let end: Int
    /// Classes of ASCII; the full table is touched only when non-ASCII text appears, so
    /// tokenizing an English question does not pay the ~20 ms of building it.
    private let ascii: UnsafePointer<UInt8>

    private static let L = CharacterClass.letter, N = CharacterClass.number
    private static let S = CharacterClass.space, NL = CharacterClass.newline

    init(_ text: UnsafePointer<UInt8>, count: Int) {
        self.text = text
        self.end = count
        self.ascii = CharacterClass.asciiTable
    }

    /// Class and byte length of the scalar starting at `i`.
    @inline(__always)
    func scalar(at i: Int) -> (cls: UInt8, length: Int) {
        let b = text[i]
        if b < 0x80 { return (ascii[Int(b)], 1) }
        return wide(at: i)
    }

    private func wide(at i: Int) -> (cls: UInt8, length: Int) {
        let b0 = UInt32(text[i])
        let v: UInt32
        let length: Int
        if b0 < 0xE0 {
            v = (b0 & 0x1F) << 6 | UInt32(text[i + 1] & 0x3F); length = 2
        } else if b0 < 0xF0 {
            v = (b0 & 0x0F) << 12 | UInt32(text[i + 1] & 0x3F) << 6 | UInt32(text[i + 2] & 0x3F); length = 3
        } else {
            v = (b0 & 0x07) << 18 | UInt32(text[i + 1] & 0x3F) << 12 | UInt32(text[i + 2] & 0x3F) << 6
                | UInt32(text[i + 3] & 0x3F)
            length = 4
        }
        if v < CharacterClass.tableLimit { return (CharacterClass.table[Int(v)], length) }
        return (CharacterClass.classifyAboveTable(v), length)
    }

    /// End of the run of scalars starting at `start` whose class has any bit of `want`
    /// (or, with `negate`, none of them).
    @inline(__always)
    private func skip(_ start: Int, _ want: UInt8, negate: Bool = false) -> Int {
        var i = start
        while i < end {
            let (c, length) = scalar(at: i)
            if (c & want != 0) == negate { return i }
            i += length
        }
        return i
    }

    @inline(__always) private func skipLetters(_ i: Int) -> Int { skip(i, PieceScanner.L) }
    /// `[^\s\p{L}\p{N}]++`
    @inline(__always) private func skipOther(_ i: Int) -> Int { skip(i, PieceScanner.L | PieceScanner.N | PieceScanner.S, negate: true) }

    @inline(__always) private func skipNewlines(_ start: Int) -> Int {
        var i = start
        while i < end && (text[i] == 0x0A || text[i] == 0x0D) { i += 1 }
        return i
    }

    /// The contraction after the apostrophe at `p`: `'s 'd 'm 't 'll 've 're`, ASCII-case-
    /// insensitively when `ignoringCase` (then `'ſ` counts too: ſ folds to s in Unicode).
    @inline(__always)
    private func contractionEnd(_ p: Int, ignoringCase: Bool) -> Int? {
        guard p + 1 < end else { return nil }
        let fold: UInt8 = ignoringCase ? 0x20 : 0
        let a = text[p + 1] | fold
        if a == 0x73 || a == 0x64 || a == 0x6D || a == 0x74 { // s d m t
            if ignoringCase || text[p + 1] == a { return p + 2 }
        }
        if ignoringCase && text[p + 1] == 0xC5 && p + 2 < end && text[p + 2] == 0xBF { return p + 3 } // ſ
        guard p + 2 < end else { return nil }
        if !ignoringCase && (text[p + 1] != a) { return nil }
        let b = text[p + 2] | fold
        if !ignoringCase && text[p + 2] != b { return nil }
        if (a == 0x6C && b == 0x6C) || (a == 0x76 && b == 0x65) || (a == 0x72 && b == 0x65) { return p + 3 }
        return nil
    }

    /// A maximal run of `\s` from `p`: its end, the start of its last scalar, how many
    /// scalars it has (counting stops at 2), and the end of its last `\r`/`\n` (or -1).
    @inline(__always)
    private func spaceRun(_ p: Int) -> (end: Int, lastStart: Int, many: Bool, newlineEnd: Int) {
        var i = p, last = p, n = 0, newlineEnd = -1
        while i < end {
            let (c, length) = scalar(at: i)
            if c & PieceScanner.S == 0 { break }
            if c & PieceScanner.NL != 0 { newlineEnd = i + length }
            last = i
            n += 1
            i += length
        }
        return (i, last, n >= 2, newlineEnd)
    }

    /// cl100k: `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|
    /// ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`
    func cl100kPieceEnd(from p: Int) -> Int {
        let (c, length) = scalar(at: p)
        let q = p + length
        if c & PieceScanner.L != 0 { return skipLetters(q) }
        if c & PieceScanner.N != 0 {
            var i = q
            for _ in 0..<2 {
                guard i < end else { break }
                let (c2, l2) = scalar(at: i)
                guard c2 & PieceScanner.N != 0 else { break }
                i += l2
            }
            return i
        }
        if c & PieceScanner.S == 0 {
            if text[p] == 0x27, let e = contractionEnd(p, ignoringCase: true) { return e }
            if q < end && scalar(at: q).cls & PieceScanner.L != 0 { return skipLetters(q) }
            return skipNewlines(skipOther(q))
        }
        if c & PieceScanner.NL == 0 && q < end {
            let (c2, l2) = scalar(at: q)
            if c2 & PieceScanner.L != 0 { return skipLetters(q + l2) }
            if text[p] == 0x20 && c2 & (PieceScanner.L | PieceScanner.N | PieceScanner.S) == 0 {
                return skipNewlines(skipOther(q + l2))
            }
        }
        let run = spaceRun(p)
        if run.end == end { return end }                // \s++$
        if run.newlineEnd >= 0 { return run.newlineEnd } // \s*[\r\n]
        if run.many { return run.lastStart }             // \s+(?!\S)
        return q                                         // \s
    }

    /// r50k: `'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s`
    func r50kPieceEnd(from p: Int) -> Int {
        if text[p] == 0x27, let e = contractionEnd(p, ignoringCase: false) { return e }
        let (c, length) = scalar(at: p)
        let q = p + length
        if text[p] == 0x20 && q < end {
            let (c2, l2) = scalar(at: q)
            if c2 & PieceScanner.L != 0 { return skipLetters(q + l2) }
            if c2 & PieceScanner.N != 0 { return skip(q + l2, PieceScanner.N) }
            if c2 & PieceScanner.S == 0 { return skipOther(q + l2) }
        }
        if c & PieceScanner.L != 0 { return skipLetters(q) }
        if c & PieceScanner.N != 0 { return skip(q, PieceScanner.N) }
        if c & PieceScanner.S == 0 { return skipOther(q) }
        let run = spaceRun(p)
        if run.end == end { return end }    // \s++$
        if run.many { return run.lastStart } // \s+(?!\S)
        return q                            // \s
    }

    /// End of the piece starting at `p` under `pattern`.
    @inline(__always)
    func pieceEnd(from p: Int, _ pattern: SplitPattern) -> Int {
        pattern == .cl100k ? cl100kPieceEnd(from: p) : r50kPieceEnd(from: p)
    }

    /// Where each piece of `text` (valid UTF-8) ends under `pattern`.
    static func pieceEnds(_ text: UnsafeBufferPointer<UInt8>, _ pattern: SplitPattern) -> [Int] {
        guard let base = text.baseAddress else { return [] }
        let scanner = PieceScanner(base, count: text.count)
        var ends: [Int] = []
        var p = 0
        while p < text.count {
            p = scanner.pieceEnd(from: p, pattern)
            ends.append(p)
        }
        return ends
    }
}
