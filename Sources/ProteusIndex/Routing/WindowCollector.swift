/// What the routing tier records of each window of a chunk, in one pass over its tokens: its
/// distinct ids (`DistinctIDs`), its joined-pair filter (`JoinedPairCollector`) and its line
/// breaks. One per scoring thread.
///
/// The pass marks each id's bit and looks up each token's join flags, whose byte also tells
/// a token that holds a line break (`breaksLine`); the filter and the line count then read
/// those bytes. Three passes over the tokens, each looking up a 100 KB table per token, were
/// a third of what the tier cost the build.
final class WindowCollector {
    let distinct: DistinctIDs
    /// Makes each window's joined-pair filter (nil: no filters).
    let pairs: JoinedPairCollector?
    /// Line breaks per id (nil: not counted).
    let lineBreaks: [UInt8]?
    /// Join flags per id (`JoinedPairs.flags`), `breaksLine` set where the id holds a line
    /// break; empty without pair filters.
    private let flags: [UInt8]
    /// A flag bit no pair rule reads (`JoinedPairs.joinedBit` reads bits 0, 1, 3 and 4, and
    /// `opensPiece` is bit 2): the token holds a line break.
    static let breaksLine: UInt8 = 0x20
    /// Without pair filters, a bit per id holding a line break (12.5 KB that stay in L1);
    /// empty with them (the flags' `breaksLine` tells).
    private let breakingIDs: [UInt64]

    init(vocabularySize: Int, lineBreaks: [UInt8]?, pairFlags: [UInt8]?) {
        distinct = DistinctIDs(vocabularySize: vocabularySize)
        pairs = pairFlags.map(JoinedPairCollector.init(flags:))
        self.lineBreaks = lineBreaks
        var flags = pairFlags ?? []
        for i in flags.indices where i < (lineBreaks?.count ?? 0) && lineBreaks![i] > 0 { flags[i] |= Self.breaksLine }
        self.flags = flags
        var breaking: [UInt64] = []
        if pairFlags == nil, let lineBreaks {
            breaking = [UInt64](repeating: 0, count: lineBreaks.count / 64 + 1)
            for (id, n) in lineBreaks.enumerated() where n > 0 { breaking[id >> 6] |= 1 << UInt64(id & 63) }
        }
        breakingIDs = breaking
    }

    /// Records the window whose tokens are `run` (the window and its reach on either side):
    /// its ids go to `ids`, its filter to `filterWords` (with pair filters), and the line
    /// breaks of `run[counted]` (the window itself) are returned (0 when lines are not counted).
    func collect(_ run: UnsafeBufferPointer<UInt32>, countingLinesIn counted: Range<Int>,
                 ids: inout [UInt32], filterWords: inout [UInt64], filterWordCounts: inout [Int]) -> (ids: Int, lineBreaks: UInt32) {
        guard let pairs else {
            let n = distinct.collect(run, into: &ids)
            return (n, lineBreaks == nil ? 0 : countLineBreaks(run[counted]))
        }
        let own = markingIDs(of: run, into: pairs.flagsRoom(for: run.count))
        filterWordCounts.append(pairs.filter(of: run, tokenFlags: own, into: &filterWords))
        let breaks = lineBreaks == nil ? 0 : countLineBreaks(flags: own, run, in: counted)
        return (distinct.drain(into: &ids), breaks)
    }

    /// Marks each id of `run` and writes each token's flags to `room` between the zeros
    /// `JoinedPairs.forEachRun` reads around them; returns where the first token's are.
    private func markingIDs(of run: UnsafeBufferPointer<UInt32>, into room: UnsafeMutablePointer<UInt8>) -> UnsafePointer<UInt8> {
        room.initialize(repeating: 0, count: JoinedPairs.flagsBefore)
        let own = room + JoinedPairs.flagsBefore
        flags.withUnsafeBufferPointer { table in
            let n = UInt32(table.count)
            for i in 0..<run.count {
                let t = run[i]
                distinct.mark(t)
                own[i] = t < n ? table[Int(t)] : 0
            }
        }
        (own + run.count).initialize(repeating: 0, count: JoinedPairs.flagsAfter)
        return UnsafePointer(own)
    }

    /// The line breaks of `run[counted]`, by the flags' `breaksLine` bits eight tokens at a
    /// time (few tokens hold one).
    private func countLineBreaks(flags own: UnsafePointer<UInt8>, _ run: UnsafeBufferPointer<UInt32>, in counted: Range<Int>) -> UInt32 {
        var n: UInt32 = 0
        lineBreaks!.withUnsafeBufferPointer { table in
            let size = UInt32(table.count)
            func add(_ i: Int) {
                let t = run[i]
                if t < size { n &+= UInt32(table[Int(t)]) }
            }
            var i = counted.lowerBound
            let bytes = UnsafeRawPointer(own)
            let pattern = UInt64(Self.breaksLine) &* 0x0101_0101_0101_0101
            while i + 8 <= counted.upperBound {
                var hits = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) & pattern
                while hits != 0 {
                    add(i + hits.trailingZeroBitCount >> 3)
                    hits &= hits &- 1
                }
                i += 8
            }
            while i < counted.upperBound {
                if own[i] & Self.breaksLine != 0 { add(i) }
                i += 1
            }
        }
        return n
    }

    /// The line breaks of `tokens`, without pair flags to read.
    private func countLineBreaks(_ tokens: Slice<UnsafeBufferPointer<UInt32>>) -> UInt32 {
        var n: UInt32 = 0
        lineBreaks!.withUnsafeBufferPointer { table in
            breakingIDs.withUnsafeBufferPointer { breaking in
                let size = UInt32(table.count)
                for t in tokens {
                    guard t < size, breaking[Int(t >> 6)] >> UInt64(t & 63) & 1 != 0 else { continue }
                    n &+= UInt32(table[Int(t)])
                }
            }
        }
        return n
    }
}
