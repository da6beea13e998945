import Synchronization

/// What a rank table built for a few texts can answer (`EmbeddedRanks.decode(_:focus:fail:)`).
///
/// A query process tokenizes one question, yet building the hash table of every rank cost it
/// about a sixth of its time. BPE only looks up substrings of the text it encodes, and a
/// question's terms only look up other spellings of their own tokens, so a table holding the
/// ranks those keys can name gives the same ids. Anything else (another text, another key)
/// goes to the whole table, built the first time it is needed: a focused table is never wrong,
/// only slower outside its texts.
final class RankCoverage: @unchecked Sendable {
    /// The texts the focused table encodes, as the encoder receives them.
    private let texts: Set<[UInt8]>
    /// The pieces `pattern` cuts those texts into.
    private let pieces: [[UInt8]]
    private let pattern: SplitPattern
    /// The hash (`RankTableLayout.key`) of every key those texts can look up.
    let keys: RankKeySet
    private let buildWhole: () -> RankTable?
    private let whole = Mutex<RankTable??>(nil)

    init(texts: Set<[UInt8]>, pattern: SplitPattern, keys: RankKeySet, buildWhole: @escaping () -> RankTable?) {
        self.texts = texts
        self.pattern = pattern
        pieces = texts.flatMap { Self.pieces(of: $0, pattern) }
        self.keys = keys
        self.buildWhole = buildWhole
    }

    /// Whether encoding `bytes` with the focused table gives the ids of the whole one: one of
    /// its texts, or a text whose every piece stands inside one of theirs, the first maybe
    /// with its first letter in the other case (a question's word as it opens a line,
    /// `TokenShapes.lineStartForms`): BPE looks up only substrings of a piece, and `keys`
    /// holds each of theirs in both cases of its first letter.
    /// The same for a word glued to a character before it (`TokenShapes.gluingCharacters`):
    /// a first piece of that character and the start of a piece of theirs ("." "adjusted" of
    /// " adjusted"), whose keys `keys(of:)` holds too. A piece of one byte is always covered.
    func covers(text bytes: UnsafeRawBufferPointer) -> Bool {
        let text = Array(bytes)
        if texts.contains(text) { return true }
        for (k, piece) in Self.pieces(of: text, pattern).enumerated() {
            var flipped = piece
            if k == 0, let first = piece.first, ASCIICase.isLetter(first) { flipped[0] ^= 0x20 }
            let glued = k == 0 && piece.count > 1 && Self.gluing.contains(piece[0])
                && pieces.contains { Self.core(of: $0).starts(with: piece.dropFirst()) }
            guard piece.count == 1 || glued || pieces.contains(where: { Self.holds($0, piece) || (k == 0 && Self.holds($0, flipped)) })
            else { return false }
        }
        return true
    }

    static let gluing = Set(TokenShapes.gluingCharacters)

    /// A piece without its leading space.
    private static func core(of piece: [UInt8]) -> ArraySlice<UInt8> { piece.first == 0x20 ? piece.dropFirst() : piece[...] }

    private static func pieces(of text: [UInt8], _ pattern: SplitPattern) -> [[UInt8]] {
        let ends = text.withUnsafeBufferPointer { PieceScanner.pieceEnds($0, pattern) }
        return zip([0] + ends, ends).map { Array(text[$0..<$1]) }
    }

    /// Whether `part` stands inside `whole`.
    private static func holds(_ whole: [UInt8], _ part: [UInt8]) -> Bool {
        guard part.count <= whole.count else { return false }
        return (0...(whole.count - part.count)).contains { whole[$0..<($0 + part.count)].elementsEqual(part) }
    }

    /// Most substrings a focused table is made for (a question of a few hundred words is some
    /// thousands; each is hashed up to five times, in spellings).
    static let substringLimit = 50_000

    /// Whether the whole table was needed (tests: a focused table's texts never build it).
    var builtWhole: Bool { whole.withLock { $0 != nil } }

    /// The table of every rank, built once on first use; nil when it cannot be (two ranks
    /// with the same bytes, outside what the focused table holds).
    func wholeTable() -> RankTable? {
        whole.withLock { table in
            if let table { return table }
            let built = buildWhole()
            table = .some(built)
            return built
        }
    }

    /// The keys of `texts` (valid UTF-8) for a focused table: every single byte (the table's
    /// check that each has a token), every substring of a piece `pattern` cuts, up to
    /// `longest` bytes (what BPE looks up: it never crosses a piece), and for each the other
    /// spellings `TokenShapes.spellings` asks for (with and without a leading space, first
    /// letter in either case, after a tab for a word's first token).
    /// Nil past `substringLimit` substrings (a long word pasted as a question): then hashing
    /// every rank once is cheaper.
    static func keys(of texts: Set<[UInt8]>, pattern: SplitPattern, longest: Int) -> RankKeySet? {
        // Each distinct piece once: a question's forms (`QueryEngine.focusTexts`) repeat most of them.
        var pieces = Set<[UInt8]>()
        for text in texts {
            var start = 0
            for end in text.withUnsafeBufferPointer({ PieceScanner.pieceEnds($0, pattern) }) {
                pieces.insert(Array(text[start..<end]))
                start = end
            }
        }
        // (No token longer than 0 bytes: a damaged table, which the whole one refuses.)
        guard longest >= 1, pieces.reduce(0, { $0 + $1.count * min($1.count, longest) }) <= substringLimit else { return nil }
        var keys = RankKeySet()
        // Every spelling is written into one scratch buffer, its core at byte 1 and the byte
        // before it (a space, a gluing character) at byte 0: an array per spelling cost a
        // query process 2 ms.
        var scratch = [UInt8](repeating: 0, count: longest + 1)
        scratch.withUnsafeMutableBufferPointer { buffer in
            let s = buffer.baseAddress!
            func add(_ p: UnsafePointer<UInt8>, _ n: Int) { keys.insert(UnsafeRawBufferPointer(start: p, count: n)) }
            for byte in 0...UInt8.max {
                s[0] = byte
                add(s, 1)
            }
            for piece in pieces {
                piece.withUnsafeBufferPointer { p in
                    for start in p.indices {
                        for end in (start + 1)...min(p.count, start + longest) {
                            add(p.baseAddress! + start, end - start)
                            let led = p[start] == 0x20 || p[start] == 0x09
                            let coreStart = led ? start + 1 : start, n = end - coreStart
                            guard n > 0, ASCIICase.isLetter(p[coreStart]) else { continue }
                            (s + 1).update(from: p.baseAddress! + coreStart, count: n)
                            // The piece's start glued to a character (`covers`).
                            if start == 0 && n < longest {
                                for c in TokenShapes.gluingCharacters {
                                    s[0] = c
                                    add(s, n + 1)
                                }
                            }
                            s[0] = 0x20
                            for _ in 0..<2 {
                                add(s + 1, n)
                                add(s, n + 1)
                                s[1] ^= 0x20
                            }
                            // A word's first token after a tab (`TokenShapes.spellings`).
                            guard led else { continue }
                            s[0] = 0x09
                            for _ in 0..<2 {
                                add(s, n + 1)
                                s[1] ^= 0x20
                            }
                        }
                    }
                }
            }
        }
        return keys
    }
}

/// The keys (`RankTableLayout.key` hashes) of a focused table: open addressing with linear
/// probing (0 marks an empty slot, so a hash of 0 is stored as 1: a collision only keeps one
/// rank too many), and a bit per signature (first and last two bytes and the length) of every
/// key of two bytes or more, so that most ranks are ruled out before their bytes are hashed.
struct RankKeySet {
    private var slots = [UInt64](repeating: 0, count: 64)
    private(set) var count = 0
    private var signatures = [UInt64](repeating: 0, count: 65_536 / 64)

    mutating func insert(_ key: UnsafeRawBufferPointer) {
        let p = key.baseAddress!, n = key.count
        if n >= 2 {
            let s = Self.signature(p.assumingMemoryBound(to: UInt8.self), n)
            signatures[s >> 6] |= 1 << UInt64(s & 63)
        }
        insert(hash: RankTableLayout.key(p, n).hash)
    }

    /// Whether the `n` bytes at `p` are one of the keys.
    @inline(__always)
    func holds(_ p: UnsafeRawPointer, _ n: Int) -> Bool {
        if n >= 2 {
            let s = Self.signature(p.assumingMemoryBound(to: UInt8.self), n)
            guard signatures[s >> 6] & (1 << UInt64(s & 63)) != 0 else { return false }
        }
        return slot(of: RankTableLayout.key(p, n).hash).found
    }

    @inline(__always)
    private static func signature(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        let v = UInt64(p[0]) | UInt64(p[1]) << 8 | UInt64(p[n - 2]) << 16 | UInt64(p[n - 1]) << 24 | UInt64(n) << 32
        return Int((v &* 0x9e37_79b9_7f4a_7c15) >> 48)
    }

    /// Where `hash` is, or the empty slot where it would go.
    private func slot(of hash: UInt64) -> (index: Int, found: Bool) {
        let h = hash == 0 ? 1 : hash
        var i = Int(truncatingIfNeeded: h) & (slots.count - 1)
        while slots[i] != 0 {
            if slots[i] == h { return (i, true) }
            i = (i + 1) & (slots.count - 1)
        }
        return (i, false)
    }

    private mutating func insert(hash: UInt64) {
        if 2 * (count + 1) > slots.count { grow() }
        let (i, found) = slot(of: hash)
        guard !found else { return }
        slots[i] = hash == 0 ? 1 : hash
        count += 1
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: 2 * old.count)
        count = 0
        for h in old where h != 0 { insert(hash: h) }
    }
}
