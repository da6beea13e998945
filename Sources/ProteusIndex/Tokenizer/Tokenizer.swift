import Synchronization

/// A tiktoken-compatible byte-level BPE tokenizer: `encodeOrdinary` gives exactly the ids of
/// tiktoken's `encode_ordinary` for the same rank file and split pattern.
///
/// Immutable after creation and safe to share between threads; every encode call uses its
/// own scratch space.
public final class Tokenizer: @unchecked Sendable {
    /// token bytes ↔ rank.
    public let ranks: RankTable
    /// How text is cut into pieces before BPE.
    public let pattern: SplitPattern
    /// Name, rank-file checksum and vocabulary size, recorded in token files and indexes.
    public let identity: TokenizerIdentity
    private let byteRanks: [UInt32]
    /// Ranks of all two-byte tokens (256 KB): the first merge step of every piece looks pairs
    /// up here instead of in the hash table.
    private let twoByteRanks: UnsafeMutablePointer<UInt32>
    private let specialTokens: [UInt32: [UInt8]]
    /// Over focused ranks: the tokenizer of the whole table, made when another text comes.
    private let wholeForOtherTexts = Mutex<Tokenizer?>(nil)

    /// Loads a `.tiktoken` rank file. `name` defaults to the file name without its extension
    /// ("cl100k_base"); `pattern` defaults to the one that fits the number of ranks (about
    /// 100K → cl100k, about 50K → r50k) and must be given for other sizes.
    public static func load(path: String, name: String? = nil, pattern: SplitPattern? = nil) throws -> Tokenizer {
        let (ranks, sha256) = try TiktokenFile.load(path: path)
        guard let pattern = pattern ?? SplitPattern.inferred(rankCount: ranks.count) else {
            throw ProteusError(.usage, path: path,
                               "cannot infer the split pattern of a rank file with \(ranks.count) ranks; name one with --split-pattern cl100k or r50k")
        }
        if let byte = ranks.firstByteWithoutToken() {
            throw ProteusError(.dataError, path: path, "no token for the single byte 0x\(String(format2: byte))")
        }
        var fileName = Substring(path.split(separator: "/").last ?? Substring(path))
        if fileName.hasSuffix(".tiktoken") { fileName = fileName.dropLast(".tiktoken".count) }
        let vocabularySize = max(ranks.count, Int(pattern.specialTokens.map(\.id).max()!) + 1)
        let identity = TokenizerIdentity(name: name ?? String(fileName), sha256: sha256,
                                         vocabularySize: UInt32(vocabularySize))
        return Tokenizer(ranks: ranks, pattern: pattern, identity: identity)
    }

    /// A tokenizer over ranks that are already in memory (such as a table mapped from an index).
    /// Fills the byte and two-byte tables in one pass over the ranks' lengths: a query process
    /// builds a tokenizer every time, and 65,792 hash lookups cost it about two milliseconds.
    public init(ranks: RankTable, pattern: SplitPattern, identity: TokenizerIdentity) {
        self.ranks = ranks
        self.pattern = pattern
        self.identity = identity
        var single = [UInt32](repeating: .max, count: 256)
        let pairs = UnsafeMutablePointer<UInt32>.allocate(capacity: 65536)
        pairs.initialize(repeating: .max, count: 65536)
        ranks.forEachRank(ofAtMost: 2) { rank, b in
            // Ranks hold distinct bytes (duplicates are refused), so each entry is set once.
            if b.count == 1 { single[Int(b[0])] = rank } else { pairs[Int(b[0]) << 8 | Int(b[1])] = rank }
        }
        twoByteRanks = pairs
        byteRanks = single
        var specials: [UInt32: [UInt8]] = [:]
        for (text, id) in pattern.specialTokens { specials[id] = Array(text.utf8) }
        specialTokens = specials
    }

    /// Appends the ids of `bytes` (UTF-8) to `tokens`, treating special-token text as text.
    /// Throws a `.dataError` "at byte N: invalid UTF-8" (N = start of the first ill-formed
    /// sequence, counted from `offset`, the position of `bytes` in a larger text; the error
    /// has no path, callers add theirs).
    public func encodeOrdinary(_ bytes: UnsafeRawBufferPointer, into tokens: inout [UInt32], offset: Int = 0) throws {
        if let whole = wholeTokenizer(unlessCovering: bytes) { return try whole.encodeOrdinary(bytes, into: &tokens, offset: offset) }
        let encoder = makeEncoder()
        try encodeChunk(bytes, offset: offset, encoder: encoder, into: &tokens)
    }

    /// The ids of `text`. Traps only when the rank file lacks a single-byte token, which
    /// `load` refuses (tiktoken panics there too).
    public func encodeOrdinary(_ text: String) -> [UInt32] {
        var text = text
        var tokens: [UInt32] = []
        text.withUTF8 { utf8 in
            try! encodeOrdinary(UnsafeRawBufferPointer(utf8), into: &tokens)
        }
        return tokens
    }

    /// The number of line breaks (0x0A bytes) in each id's bytes, for counting lines
    /// without decoding (ids without bytes count none).
    public func lineBreakCounts() -> [UInt8] {
        var counts = [UInt8](repeating: 0, count: Int(identity.vocabularySize))
        ranks.forEachRank(holding: 0x0A) { rank in
            if rank < counts.count && counts[rank] < 255 { counts[rank] += 1 }
        }
        for (id, bytes) in specialTokens where Int(id) < counts.count {
            counts[Int(id)] = UInt8(min(255, bytes.lazy.filter { $0 == 0x0A }.count))
        }
        return counts
    }

    /// Each id's join flags (`JoinedPairs.flags`), for the routing tier's pair filters
    /// (special tokens join nothing).
    public func joinFlags() -> [UInt8] {
        (0..<Int(identity.vocabularySize)).map { id in
            ranks.bytes(ofRank: UInt32(id)).map { JoinedPairs.flags(ofTokenBytes: $0) } ?? 0
        }
    }

    /// Which ids are identifier-shaped: after an optional leading space, two or more digits
    /// (a piece of a number, a key or a UUID), or a hyphen followed by letters or digits (a
    /// piece of a compound key). Split patterns like cl100k's keep letters and digits apart,
    /// so a mixed piece never occurs and is not looked for.
    public func identifierShapes() -> [Bool] {
        return (0..<Int(identity.vocabularySize)).map { id in
            guard let raw = ranks.bytes(ofRank: UInt32(id)) else { return false }
            let b = raw.first == 0x20 ? Array(raw.dropFirst()) : Array(raw)
            guard b.count >= 2 else { return false }
            return b.allSatisfy(ASCIICase.isDigit) || (b[0] == 0x2D && b.dropFirst().allSatisfy(ASCIICase.isAlphanumeric))
        }
    }

    /// The bytes of `tokens`, special tokens included. Throws a `.dataError` naming the first
    /// id that is neither a rank nor a special token.
    public func decode(_ tokens: UnsafeBufferPointer<UInt32>) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(tokens.count * 4)
        for (position, id) in tokens.enumerated() {
            if let bytes = ranks.bytes(ofRank: id) {
                out.append(contentsOf: bytes)
            } else if let special = specialTokens[id] {
                out.append(contentsOf: special)
            } else {
                throw ProteusError(.dataError,
                                   "token \(id) at position \(position) is not in the vocabulary of \(identity.name)")
            }
        }
        return out
    }

    deinit { twoByteRanks.deallocate() }

    /// For ranks focused on a few texts (`RankCoverage`), a tokenizer over the whole table
    /// when `bytes` is not one of them; nil when these ranks encode `bytes` as the whole would.
    func wholeTokenizer(unlessCovering bytes: UnsafeRawBufferPointer) -> Tokenizer? {
        guard let coverage = ranks.coverage, !coverage.covers(text: bytes), let table = coverage.wholeTable() else { return nil }
        return wholeForOtherTexts.withLock { whole in
            if let whole { return whole }
            let built = Tokenizer(ranks: table, pattern: pattern, identity: identity)
            whole = built
            return built
        }
    }

    func makeEncoder() -> BytePairEncoder {
        BytePairEncoder(ranks: ranks, byteRanks: byteRanks, twoByteRanks: UnsafePointer(twoByteRanks), owner: self)
    }

    /// Throws "at byte N: invalid UTF-8" (no path; N = start of the first ill-formed sequence,
    /// counted from `offset`): the encoder's check, for callers that must know before encoding.
    public static func checkUTF8(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) throws {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else { return }
        if let bad = UTF8Validation.firstInvalid(base, count: bytes.count) {
            throw ProteusError(.dataError, "at byte \(offset + bad): invalid UTF-8")
        }
    }

    /// Encodes one independent stretch of text; `offset` is its position in the whole text,
    /// for error messages.
    func encodeChunk(_ bytes: UnsafeRawBufferPointer, offset: Int, encoder: BytePairEncoder,
                     into tokens: inout [UInt32]) throws {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else { return }
        try Tokenizer.checkUTF8(bytes, offset: offset)
        tokens.reserveCapacity(tokens.count + bytes.count / 4 + 16)
        let scanner = PieceScanner(base, count: bytes.count)
        var ok = true
        var p = 0
        if pattern == .cl100k {
            while p < bytes.count {
                let e = scanner.cl100kPieceEnd(from: p)
                ok = encoder.encode(base + p, e - p, into: &tokens) && ok
                p = e
            }
        } else {
            while p < bytes.count {
                let e = scanner.r50kPieceEnd(from: p)
                ok = encoder.encode(base + p, e - p, into: &tokens) && ok
                p = e
            }
        }
        if !ok {
            let missing = byteRanks.firstIndex(of: .max).map { String(format2: UInt8($0)) } ?? "??"
            throw ProteusError(.dataError, "\(identity.name) has no token for the byte 0x\(missing)")
        }
    }

    /// The piece boundaries of `bytes` (valid UTF-8): the end offset of each piece. For tests
    /// and reference checks against the pattern's regular expression.
    func pieceEnds(_ bytes: UnsafeRawBufferPointer) -> [Int] {
        PieceScanner.pieceEnds(bytes.assumingMemoryBound(to: UInt8.self), pattern)
    }
}
