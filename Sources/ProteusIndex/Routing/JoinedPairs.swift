/// Joined pairs: two adjacent tokens of one word, like "-l" + "agoon" in "sable-lagoon-prime"
/// or "orch" + "ard" in "orchard". The routing tier keeps a small Bloom filter of each
/// window's joined pieces (`PairFilters`): every joined pair, and the runs of three or four
/// joined tokens of compounds and identifiers ("-l" "agoon" "-prime"). So a question whose
/// key splits into pieces is routed to the windows where its pieces stand together, not to
/// every window that holds them apart (a haystack of lookalike keys holds every piece
/// everywhere, and every pair of the key in one lookalike or another).
///
/// A pair is joined when the first token holds a letter or a digit and ends in one, and the
/// second holds one and does not start with whitespace ("orch" "ard", "sable" "-l"); or when
/// a connector ("-", ".", "/", ...) stands between two such tokens with no space around it
/// (" lively" "-" "orch"): both its pairs are joined. A connector's pairs depend on the token
/// beyond, so the rule reads a run of tokens, and only within the run it is given (a passage,
/// a window's reach), never past it. It reads only the tokens' bytes, so the build (a table
/// per id) and the query (`TokenShapes`) agree on it.
enum JoinedPairs {
    /// Bits of a token's join flags.
    static let canLead: UInt8 = 1
    static let canFollow: UInt8 = 2
    /// Starts with punctuation and holds a letter or a digit ("-l", ".com", "_id"), or is a
    /// connector: the piece of a compound or an identifier, not of an ordinary long word.
    static let opensPiece: UInt8 = 4
    /// One or two connector characters and nothing else ("-", ".", "::").
    static let connector: UInt8 = 8
    /// The first byte is a letter or a digit.
    static let startsWithWord: UInt8 = 16

    /// Characters that join the words on either side when they stand alone between them.
    static let connectorBytes: Set<UInt8> = Set("-_./:@#+~\\".utf8)

    /// Whether a byte is a letter or a digit (any byte of a multi-byte character counts as a
    /// letter).
    @inline(__always)
    static func isWordByte(_ b: UInt8) -> Bool { b >= 0x80 || (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) }

    /// The join flags of a token with these bytes.
    static func flags<C: Collection>(ofTokenBytes bytes: C) -> UInt8 where C.Element == UInt8 {
        guard let first = bytes.first else { return 0 }
        guard bytes.contains(where: isWordByte) else {
            return bytes.count <= 2 && bytes.allSatisfy(connectorBytes.contains) ? connector | opensPiece : 0
        }
        var f: UInt8 = 0
        var last = first
        for b in bytes { last = b }
        if isWordByte(last) { f |= canLead }
        let space = first == 0x20 || first == 0x0A || first == 0x09 || first == 0x0D
        if !space { f |= canFollow }
        if !space && !isWordByte(first) { f |= opensPiece }
        if isWordByte(first) { f |= startsWithWord }
        return f
    }

    /// Whether the pair (`a`, `b`) is joined, by the flags of its tokens and of the tokens
    /// just before and after it (0 where the run read ends).
    /// (`a` leads and `b` follows, or `b` is a connector before a word; or `a` is a connector
    /// between words.) In bit arithmetic, with no branch: the build asks it of every token,
    /// and short-circuit branches on the flags mispredicted most of its time away.
    @inline(__always)
    static func joined(before: UInt8, _ a: UInt8, _ b: UInt8, after: UInt8) -> Bool {
        joinedBit(before: before, a, b, after: after) & 1 != 0
    }

    /// `joined` in bit 0 (other bits are noise): of flags, or of several flags side by side,
    /// a byte each.
    @inline(__always)
    static func joinedBit<F: FixedWidthInteger & UnsignedInteger>(before: F, _ a: F, _ b: F, after: F) -> F {
        // Bit 0 of each term: canFollow is bit 1, connector bit 3, startsWithWord bit 4,
        // canLead bit 0 (`joinFlagBitsAreWhereJoinedReadsThem` checks).
        let follows = b >> 1 | b >> 3 & after >> 4
        let between = a >> 3 & before & b >> 4
        return a & follows | between
    }

    /// Whether (`a`, `b`) is joined somewhere: in some run around it (the query's spellings).
    @inline(__always)
    static func mayJoin(_ a: UInt8, _ b: UInt8) -> Bool {
        joined(before: canLead, a, b, after: startsWithWord)
    }

    /// Whether the pair ending at `i` of `tokens` is joined, reading only `range`.
    @inline(__always)
    static func joined(at i: Int, in tokens: UnsafeBufferPointer<UInt32>, within range: Range<Int>, flags: (UInt32) -> UInt8) -> Bool {
        joined(before: i - 2 >= range.lowerBound ? flags(tokens[i - 2]) : 0, flags(tokens[i - 1]), flags(tokens[i]),
               after: i + 1 < range.upperBound ? flags(tokens[i + 1]) : 0)
    }

    /// The 64-bit hash of the pair (a, b) the filters store (a fixed mix, so every build and
    /// every query computes the same).
    @inline(__always)
    static func hash(_ a: UInt32, _ b: UInt32) -> UInt64 {
        var x = UInt64(a) << 32 | UInt64(b)
        x ^= x >> 33
        x &*= 0xff51afd7ed558ccd
        x ^= x >> 33
        x &*= 0xc4ceb9fe1a85ec53
        x ^= x >> 33
        return x
    }

    /// The hash of a run of joined tokens: the pair's hash, then each further token mixed in.
    static func hash<C: Collection>(run: C) -> UInt64 where C.Element == UInt32 {
        var i = run.startIndex
        let a = run[i]
        i = run.index(after: i)
        var h = hash(a, run[i])
        i = run.index(after: i)
        while i != run.endIndex {
            h = hash(UInt32(truncatingIfNeeded: h) ^ UInt32(truncatingIfNeeded: h >> 32), run[i]) ^ h
            i = run.index(after: i)
        }
        return h
    }

    /// Runs longer than this many tokens are kept as their runs of this many.
    static let longestRun = 4

    /// Whether a run of three or more joined tokens is kept: only when a token after its
    /// first opens a piece (`opensPiece`), as in compounds and identifiers ("sable-lagoon",
    /// "os.path", a UUID), whose common pieces lookalikes share; an ordinary long word's
    /// pairs already single it out, and its runs would add half again to the filters.
    static func keepsRun<C: Collection>(flagsAfterFirst: C) -> Bool where C.Element == UInt8 {
        flagsAfterFirst.contains { $0 & opensPiece != 0 }
    }

    /// Calls `body` with the place (`start..<end` in `tokens`) and hash of every joined pair
    /// of `tokens` and every run of 3 to `longestRun` joined tokens that `keepsRun` keeps
    /// (ids at or past the flags' end join nothing).
    @inline(__always)
    static func forEachRun(in tokens: UnsafeBufferPointer<UInt32>, flags: UnsafeBufferPointer<UInt8>,
                           _ body: (_ start: Int, _ end: Int, _ hash: UInt64) -> Void) {
        guard tokens.count >= 2 else { return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: tokenFlagsCapacity(tokens.count)) { room in
            forEachRun(in: tokens, tokenFlags: Self.tokenFlags(of: tokens, flags: flags, into: room.baseAddress!), body)
        }
    }

    /// Bytes `tokenFlags` needs for `count` tokens.
    static func tokenFlagsCapacity(_ count: Int) -> Int { count + flagsBefore + flagsAfter }
    /// Zero flags `tokenFlags` puts before and after the tokens' own, so that the blocks of
    /// `forEachRun` read whole words at either end.
    static let flagsBefore = 2, flagsAfter = 66

    /// The flags of each of `tokens` (0 for ids past the table), written to `room` (of
    /// `tokenFlagsCapacity` bytes) between zeros; returns where the first token's flag is.
    /// One plain loop: its table loads do not wait on each other.
    @inline(__always)
    static func tokenFlags(of tokens: UnsafeBufferPointer<UInt32>, flags: UnsafeBufferPointer<UInt8>,
                           into room: UnsafeMutablePointer<UInt8>) -> UnsafePointer<UInt8> {
        let n = UInt32(flags.count), count = tokens.count
        room.initialize(repeating: 0, count: flagsBefore)
        let own = room + flagsBefore
        for i in 0..<count {
            let t = tokens[i]
            own[i] = t < n ? flags[Int(t)] : 0
        }
        (own + count).initialize(repeating: 0, count: flagsAfter)
        return UnsafePointer(own)
    }

    /// `forEachRun` over flags already looked up (`tokenFlags`).
    /// The build asks it of every token of the corpus, and about one pair in eight of prose
    /// is joined: so the tokens go by in blocks of 64, whose joined pairs are found eight at
    /// a time as the bits of a mask with no branch (a branch per pair mispredicted), and
    /// only the joined ones are visited.
    @inline(__always)
    static func forEachRun(in tokens: UnsafeBufferPointer<UInt32>, tokenFlags own: UnsafePointer<UInt8>,
                           _ body: (_ start: Int, _ end: Int, _ hash: UInt64) -> Void) {
        let count = tokens.count
        guard count >= 2 else { return }
        var joinedBefore = 0  // joined pairs in a row ending on the previous token
        var lastPiece = -1  // the run's last token that opens a piece
        var previous = -2  // where the last joined pair ended
        // The pair ending at i reads the flags of tokens i-2...i+1: the block at `base` (pairs
        // ending at base..<base+64) reads from base-2 on, within the zeros around the tokens'.
        let bytes = UnsafeRawPointer(own - flagsBefore)
        var base = 0
        while base < count {
            var mask: UInt64 = 0
            for j in stride(from: 0, to: 64, by: 8) {
                // Eight pairs at once, a byte each: `joinedBit` reads bit 0 of shifted flags,
                // and a right shift below 8 keeps each byte's bit 0 its own.
                func at(_ k: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: base + j + k, as: UInt64.self)) }
                let joined = joinedBit(before: at(0), at(1), at(2), after: at(3)) & 0x0101_0101_0101_0101
                // The eight bytes' bit 0, gathered into bits 56...63 (byte k to bit 56 + k).
                mask |= ((joined &* 0x0102_0408_1020_4080) >> 56) << UInt64(j)
            }
            // Pairs ending at 0 or past the last token read a zero flag and never join.
            while mask != 0 {
                let i = base + mask.trailingZeroBitCount
                mask &= mask - 1
                if i != previous + 1 {
                    joinedBefore = 0
                    lastPiece = -1
                }
                previous = i
                joinedBefore += 1
                if own[i] & opensPiece != 0 { lastPiece = i }
                body(i - 1, i + 1, hash(tokens[i - 1], tokens[i]))
                if joinedBefore >= 2 {
                    for length in 3...min(joinedBefore + 1, longestRun) where lastPiece > i + 1 - length {
                        body(i + 1 - length, i + 1, hash(run: tokens[(i + 1 - length)...i]))
                    }
                }
            }
            base += 64
        }
    }

    // MARK: The filter of one window

    /// Filter bits per distinct run (pair, three or four tokens), and bits set per run: a
    /// false positive rate of about 24%, at about 0.05 bytes per token of prose (the
    /// evaluation's real text). A key of three pairs passes a window lacking them all in
    /// 1.4% of windows; its run of four, checked too, cuts that to a quarter. Four bits
    /// (15%) cost the routing tier a tenth more than the budget of 10% of the corpus's .tok.
    static let bitsPerRun = 3
    static let probes = 2

    /// Words of a filter for `runs` distinct runs (at least one).
    static func words(forRuns runs: Int) -> Int { max(1, (runs * bitsPerRun + 63) / 64) }

    /// The bit positions of `hash` in a filter of `bits` bits (double hashing; a multiply
    /// maps each 32-bit probe onto the filter, which needs no power of two).
    @inline(__always)
    static func forEachBit(of hash: UInt64, bits: Int, _ body: (Int) -> Void) {
        let h1 = UInt32(truncatingIfNeeded: hash), h2 = UInt32(truncatingIfNeeded: hash >> 32) | 1
        for k in 0..<UInt32(probes) {
            let probe = h1 &+ k &* h2
            body(Int((UInt64(probe) &* UInt64(bits)) >> 32))
        }
    }

    static func insert(_ hash: UInt64, into filter: UnsafeMutableBufferPointer<UInt64>) {
        forEachBit(of: hash, bits: filter.count * 64) { filter[$0 >> 6] |= 1 << UInt64($0 & 63) }
    }

    static func mayContain(_ hash: UInt64, in filter: UnsafeBufferPointer<UInt64>) -> Bool {
        guard !filter.isEmpty else { return false }
        var all = true
        forEachBit(of: hash, bits: filter.count * 64) { if filter[$0 >> 6] & (1 << UInt64($0 & 63)) == 0 { all = false } }
        return all
    }
}

/// Makes each window's filter: the joined runs' hashes are gathered, their distinct count
/// estimated by linear counting on a 64 Kibit bitmap (exact enough to size a filter, and no
/// sort or hash set), and the filter sized and filled. One per scoring thread.
final class JoinedPairCollector {
    let flags: [UInt8]
    /// The runs' hashes of the window at hand (a pair and at most two longer runs end on
    /// each token) and its tokens' flags, for windows of up to `capacity` tokens (grown with
    /// the longest seen).
    private var hashes: UnsafeMutablePointer<UInt64>
    private var tokenFlags: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private let seen: UnsafeMutablePointer<UInt64>
    private static let seenBits = 1 << 16

    init(flags: [UInt8]) {
        self.flags = flags
        seen = .allocate(capacity: Self.seenBits / 64)
        seen.initialize(repeating: 0, count: Self.seenBits / 64)
        capacity = 1 << 15
        hashes = .allocate(capacity: 3 * capacity)
        tokenFlags = .allocate(capacity: JoinedPairs.tokenFlagsCapacity(capacity))
    }

    deinit {
        seen.deallocate()
        hashes.deallocate()
        tokenFlags.deallocate()
    }

    /// Appends the filter of the joined runs of `tokens` to `out`; returns its word count.
    func filter(of tokens: UnsafeBufferPointer<UInt32>, into out: inout [UInt64]) -> Int {
        grow(to: tokens.count)
        let room = tokenFlags
        return flags.withUnsafeBufferPointer { f in
            filter(of: tokens, tokenFlags: JoinedPairs.tokenFlags(of: tokens, flags: f, into: room), into: &out)
        }
    }

    /// `filter(of:into:)` with the tokens' flags already looked up (`JoinedPairs.tokenFlags`).
    func filter(of tokens: UnsafeBufferPointer<UInt32>, tokenFlags own: UnsafePointer<UInt8>, into out: inout [UInt64]) -> Int {
        grow(to: tokens.count)
        let found = hashes
        var count = 0
        JoinedPairs.forEachRun(in: tokens, tokenFlags: own) { _, _, h in
            found[count] = h
            count += 1
        }
        return Self.append(UnsafeBufferPointer(start: found, count: count), seen: seen, into: &out)
    }

    /// Room for the flags of `count` tokens (`JoinedPairs.tokenFlagsCapacity`), for a caller
    /// that looks them up itself and then asks `filter(of:tokenFlags:into:)`.
    func flagsRoom(for count: Int) -> UnsafeMutablePointer<UInt8> {
        grow(to: count)
        return tokenFlags
    }

    /// Room for windows of `count` tokens.
    private func grow(to count: Int) {
        guard count > capacity else { return }
        hashes.deallocate()
        tokenFlags.deallocate()
        capacity = count
        hashes = .allocate(capacity: 3 * capacity)
        tokenFlags = .allocate(capacity: JoinedPairs.tokenFlagsCapacity(capacity))
    }

    /// The filter of `hashes` (repeats allowed), appended to `out`.
    private static func append(_ hashes: UnsafeBufferPointer<UInt64>, seen: UnsafeMutablePointer<UInt64>, into out: inout [UInt64]) -> Int {
        var set = 0
        for h in hashes {
            let b = Int(h >> 48)
            let mask: UInt64 = 1 << UInt64(b & 63)
            set &+= Int(truncatingIfNeeded: (seen[b >> 6] & mask) == 0 ? 1 : 0)
            seen[b >> 6] |= mask
        }
        for h in hashes { seen[Int(h >> 48) >> 6] = 0 }
        let words = JoinedPairs.words(forRuns: set * 2 > seenBits ? hashes.count : linearCount(set: set))
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: words))
        out.withUnsafeMutableBufferPointer { all in
            let filter = UnsafeMutableBufferPointer(rebasing: all[start..<(start + words)])
            for h in hashes { JoinedPairs.insert(h, into: filter) }
        }
        return words
    }

    /// Linear counting, n ≈ m·ln(m / (m − set)) for a bitmap of m = 2^16 bits with `set` of them
    /// set, in 32-bit fixed point as the series Σ xᵏ/k with x = set/m ≤ ½: integer arithmetic
    /// only, so every machine sizes every filter alike (a libm `log` may differ in its last bit).
    static func linearCount(set: Int) -> Int {
        precondition(set >= 0 && set * 2 <= seenBits)
        let x = UInt64(set) << 16  // set/m with 32 fractional bits
        var power = x, sum: UInt64 = 0, k: UInt64 = 1
        while power != 0 {
            sum += power / k
            power = (power * x) >> 32  // both < 2^32, so the product fits
            k += 1
        }
        return Int((sum + (1 << 15)) >> 16)  // m·sum, rounded
    }
}
