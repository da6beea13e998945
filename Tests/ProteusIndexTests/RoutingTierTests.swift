import Testing
import Foundation
@testable import ProteusIndex

/// The routing tier: window lists, their encodings, the build's bounded inversion, the
/// section layout and the reader's refusals.
@Suite struct RoutingTierTests {
    typealias F = IndexFileFixtures

    @Test func eliasFanoLowBitsAreTheFloorOfTheLogOfWindowsPerEntry() {
        // Found by shifts, not by dividing: every list's size depends on it.
        for windows in [1, 2, 3, 63, 64, 65, 1_000, 1_024, 1_025, 97_657, 1 << 20, (1 << 20) + 1] {
            for n in Array(1...300) + [windows - 1, windows, windows + 1, windows / 2, windows / 2 + 1] where n > 0 {
                let expected = windows > n ? Int.bitWidth - 1 - (windows / n).leadingZeroBitCount : 0
                #expect(PostingList.lowBits(count: n, windows: windows) == expected, "n \(n) of \(windows)")
            }
        }
    }

    @Test(arguments: [1, 2, 7, 100, 333, 1_000])
    func postingListsRoundTripInEitherEncoding(_ n: Int) {
        var rng = SplitMix(seed: UInt64(n))
        for windows in [n, n + 1, 4 * n, 1_000 * n] {
            let list = Array(Set((0..<n).map { _ in UInt32(rng.next() % UInt64(windows)) })).sorted()
            var bytes: [UInt8] = []
            list.withUnsafeBufferPointer { PostingList.encode($0, windows: windows, into: &bytes) }
            #expect(bytes.count == PostingList.byteCount(count: list.count, windows: windows))
            var back: [UInt32] = []
            let ok = bytes.withUnsafeBytes { PostingList.forEach($0, count: list.count, windows: windows) { back.append(UInt32($0)) } }
            #expect(ok && back == list)
        }
        // A list in most windows is a bitmap; a rare one is Elias–Fano, a few bits a window.
        #expect(PostingList.encoding(count: 900, windows: 1_000) == .bitmap)
        #expect(PostingList.byteCount(count: 10, windows: 100_000) <= 10 * (2 + 14) / 8 + 2)
    }

    @Test func corruptListsAreDetectedNotFollowed() {
        var rng = SplitMix(seed: 9)
        for _ in 0..<2_000 {
            let windows = Int(rng.next() % 500) + 1, n = Int(rng.next() % UInt64(windows)) + 1
            let size = PostingList.byteCount(count: n, windows: windows)
            let garbage = (0..<size).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var seen: [Int] = []
            let ok = garbage.withUnsafeBytes { PostingList.forEach($0, count: n, windows: windows) { seen.append($0) } }
            #expect(seen.allSatisfy { $0 < windows })
            #expect(zip(seen, seen.dropFirst()).allSatisfy { $0 < $1 })
            if ok { #expect(seen.count == n) }
        }
    }

    /// A stream of 50,000 words (ids 0..<5,000), a few rare ids planted.
    static let tokens: [UInt32] = {
        var rng = SplitMix(seed: 3)
        var out: [UInt32] = []
        for i in 0..<50_000 {
            let planted = i % 997 == 0
            out.append(planted ? UInt32(4_990 + i % 7) : UInt32(truncatingIfNeeded: rng.next() % 4_000))
        }
        return out
    }()

    static func parameters(window: Int) -> BuildParameters {
        var p = BuildParameters()
        p.chunkLength = 8_192
        p.perChunk = 256
        p.bufferTokens = 512
        p.statisticsSampleTokens = 16_384
        p.routeWindow = window
        return p
    }

    @Test(arguments: [512, 1_000, 8_192])
    func listsHoldEveryWindowOfEachIdAndItsReach(_ window: Int) throws {
        let source = try MemoryTokenSource(tokens: Self.tokens)
        let contents = try BuildPipeline(parameters: Self.parameters(window: window)).run(source: source)
        let tier = try #require(contents.routing)
        let w = tier.windowTokens, reach = RoutingTierContents.windowReach
        #expect(8_192 % w == 0 && w <= window)
        #expect(tier.windowCount == (Self.tokens.count + w - 1) / w)
        // Brute force: the windows within reach of each occurrence.
        var expected: [UInt32: Set<Int>] = [:]
        for (i, id) in Self.tokens.enumerated() {
            for k in max(0, (i - reach) / w)...min(tier.windowCount - 1, (i + reach) / w) where i + reach >= k * w && i - reach < (k + 1) * w {
                expected[id, default: []].insert(k)
            }
        }
        #expect(tier.ids == expected.keys.sorted())
        #expect(tier.windowCounts == tier.ids.map { UInt32(expected[$0]!.count) })
        let bytes = try tier.postings.bytes()
        var offset = 0
        for (k, id) in tier.ids.enumerated() where tier.hasList(k) {
            let size = tier.listBytes(k)
            var back: [Int] = []
            bytes[offset..<(offset + size)].withUnsafeBytes { _ = PostingList.forEach($0, count: Int(tier.windowCounts[k]), windows: tier.windowCount) { back.append($0) } }
            #expect(back == expected[id]!.sorted())
            offset += size
        }
        #expect(offset == bytes.count)
    }

    @Test func theTierIsTheSameForAnyThreadCountAndPassBudget() throws {
        let p = Self.parameters(window: 1_024)
        let source = try MemoryTokenSource(tokens: Self.tokens)
        let one = try BuildPipeline(parameters: p).run(source: source, threads: 1)
        let two = try BuildPipeline(parameters: p).run(source: source, threads: 2)
        #expect(one == two)
        // The inversion in passes of at most 1,000 or 100 window numbers gives the same bytes,
        // with window numbers held as u16 (as they fit here) or as u32, on 1 to 3 threads (each
        // taking a share of a pass's ids). Those are many passes, so the windows are first
        // sorted by pass: with 1,000, 25 or 49 passes, into a file each; with 100, 245 or 489
        // passes, into files that consecutive passes share (7 files, or the usual 128).
        let tier = try #require(one.routing)
        let listed = tier.ids.indices.filter { tier.hasList($0) }.reduce(0) { $0 + Int(tier.windowCounts[$1]) }
        #expect(listed > 2 * WindowPostingsBuilder.distributingPasses * 100)
        for narrow in [true, false] {
            for threads in 1...3 {
                let builder = try WindowPostingsBuilder(vocabularySize: 5_000, windowTokens: 1_024, listShare: 0.5, name: "t",
                                                        passBudget: threads == 1 ? 1_000 : 100, narrowNumbers: narrow)
                builder.threads = threads
                if threads == 2 { builder.distributeFiles = 7 }
                if threads == 3 {
                    // Buffers of 24 bytes a pass: most windows' ids of a pass outgrow theirs and
                    // are written from a buffer of their own.
                    builder.distributeBufferBytes = 24
                    builder.distributeStrideFloor = 24
                }
                let scorer = ChunkScorer(tables: ScoreTables(surprisal: [Float](repeating: 10, count: 5_001), vocabularySize: 5_000,
                                                             chunkLength: 8_192, useSurprisal: true, burstiness: false),
                                         candidateLimit: 16, championLimit: 8, bonusMargin: 0, routeWindow: 1_024)
                let result = ChunkResult(chunkLength: 8_192, candidateLimit: 16)
                for k in stride(from: 0, to: Self.tokens.count, by: 8_192) {
                    let chunk = Array(Self.tokens[k..<min(k + 8_192, Self.tokens.count)])
                    chunk.withUnsafeBufferPointer { scorer.score($0, index: k / 8_192, start: UInt64(k), into: result) }
                    try builder.add(result)
                }
                #expect(try builder.finish() == one.routing, "narrow \(narrow), \(threads) threads")
            }
        }
    }

    @Test func windowsSpilledOverSeveralFlushesKeepEveryList() throws {
        // About 4 MiB of encoded windows: the builder flushes its buffer several times, and
        // the last window holds two thirds of the vocabulary.
        var rng = SplitMix(seed: 5)
        let vocabulary = 60_000
        var windows: [[UInt32]] = (0..<700).map { _ in
            Array(Set((0..<3_000).map { _ in UInt32(rng.next() % UInt64(vocabulary)) })).sorted()
        }
        windows.append((0..<UInt32(vocabulary)).filter { $0 % 3 != 0 })
        let builder = try WindowPostingsBuilder(vocabularySize: vocabulary, windowTokens: 4_096, listShare: 1, name: "t",
                                                passBudget: 1 << 20)
        for w in windows { try builder.add(window: ArraySlice(w)) }
        let tier = try builder.finish()
        var expected: [UInt32: [Int]] = [:]
        for (k, w) in windows.enumerated() { for id in w { expected[id, default: []].append(k) } }
        #expect(tier.ids == expected.keys.sorted())
        let bytes = try tier.postings.bytes()
        var offset = 0, checked = 0
        for (k, id) in tier.ids.enumerated() where tier.hasList(k) {
            let size = tier.listBytes(k)
            var back: [Int] = []
            bytes[offset..<(offset + size)].withUnsafeBytes { _ = PostingList.forEach($0, count: Int(tier.windowCounts[k]), windows: tier.windowCount) { back.append($0) } }
            #expect(back == expected[id]!, "id \(id)")
            offset += size
            checked += 1
        }
        #expect(checked == tier.ids.count && offset == bytes.count)
    }

    @Test func theIndexStoresAndReadsTheTier() throws {
        let dir = try F.temporaryFolder("routing")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = try MemoryTokenSource(tokens: Self.tokens)
        let contents = try BuildPipeline(parameters: Self.parameters(window: 1_024)).run(source: source)
        let path = dir + "/r.phb"
        try HeroIndexWriter.write(contents, to: path, inputs: [])
        let index = try HeroIndex(path: path)
        try index.verify()
        #expect(try index.contents().routing == contents.routing)
        let tier = try #require(try index.routing())
        #expect(tier.idCount == contents.routing!.ids.count)
        let rare = try #require(tier.entry(of: 4_990))
        var windows: [Int] = []
        try tier.forEachWindow(of: rare) { windows.append($0) }
        #expect(windows.count == rare.windowCount && !windows.isEmpty)
        #expect(tier.entry(of: 4_500) == nil)  // never in the corpus
        // Every entry found by lookup is the one the directory walk gives.
        tier.forEachEntry { e in #expect(tier.entry(of: e.id) == e) }
        // The directory costs about a byte and a half an id, the id bitset aside.
        let s = tier.summary
        #expect(s.directoryBytes - (5_000 + 63) / 64 * 8 <= 2 * s.ids)
    }

    @Test func aCorruptTierIsRefusedNamingItsSectionAndByte() throws {
        let dir = try F.temporaryFolder("routing-corrupt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = try MemoryTokenSource(tokens: Self.tokens)
        let contents = try BuildPipeline(parameters: Self.parameters(window: 1_024)).run(source: source)
        let path = dir + "/r.phb"
        try HeroIndexWriter.write(contents, to: path, inputs: [])
        let pristine = try F.read(path)
        let index = try HeroIndex(path: path)
        let postings = index.entry(.routePostings), counts = index.entry(.routeWindowCounts)
        // Checksums catch it on verify.
        var b = pristine
        b[Int(postings.offset)] ^= 0xFF
        try F.write(b, to: path)
        #expect(failure { try HeroIndex(path: path).verify() } == "\(path): section 'RPST' at byte \(postings.offset): checksum mismatch")
        // With the checksums fixed up (a crafted file), decoding itself refuses the list.
        try F.write(pristine, to: path)
        let tier = try #require(try index.routing())
        var first: RoutingTier.Entry?
        tier.forEachEntry { e in if first == nil && tier.hasList(e) { first = e } }
        let e = try #require(first)
        #expect(e.listOffset == 0)
        let size = PostingList.byteCount(count: e.windowCount, windows: tier.shape.windowCount)
        try F.editSection(path, .routePostings) { for i in 0..<size { $0[i] = 0xFF } }
        let damaged = try #require(try HeroIndex(path: path).routing())
        #expect(failure { try damaged.forEachWindow(of: e) { _ in } }
                == "\(path): section 'RPST' at byte \(postings.offset): the window list of token id \(e.id) is corrupt")
        // A count that does not add up is refused on first use of the tier, with its byte.
        try F.write(pristine, to: path)
        try F.editSection(path, .routeWindowCounts) { $0[0] = 0 }
        #expect(failure { _ = try HeroIndex(path: path).routing() }
                == "\(path): section 'RWCN' at byte \(counts.offset): the window count of token id 0 is missing or outside 1...\(tier.shape.windowCount)")
        // A skip offset above Int.max (found by the phb fuzzer, which trapped on it) is refused.
        let skips = index.entry(.routeSkips)
        try F.write(pristine, to: path)
        try F.editSection(path, .routeSkips) { for i in 0..<8 { $0[i] = 0xFF } }
        #expect(failure { _ = try HeroIndex(path: path).routing() }
                == "\(path): section 'RSKP' at byte \(skips.offset): skip 0 does not match the counts before it")
        // A rank that does not count the ids before its words.
        let ranks = index.entry(.routeRanks), ids = index.entry(.routeIDs)
        try F.write(pristine, to: path)
        var lastID = 0
        tier.forEachEntry { lastID = Int($0.id) }
        try F.editSection(path, .routeRanks) { $0[4] &+= 1 }
        #expect(failure { _ = try HeroIndex(path: path).routing() }
                == "\(path): section 'RRNK' at byte \(ranks.offset + 4): rank 1 does not count the ids before it")
        // The last id moved past the vocabulary (not a multiple of 64: the last word has bits beyond it),
        // with the ranks after it lowered so that everything else still adds up.
        let words = Int(ids.length) / 8, w = lastID / 64, moved = (words - 1) * 64 + 63
        let vocabulary = index.metadata.vocabularySize
        #expect(moved >= vocabulary)
        try F.write(pristine, to: path)
        try F.editSection(path, .routeIDs) { b in
            b[8 * w + (lastID % 64) / 8] &= ~UInt8(1 << (lastID % 8))
            b[8 * (words - 1) + 7] |= 0x80
        }
        try F.editSection(path, .routeRanks) { b in
            for r in 0..<(b.count / 4) where r * PresenceBits.wordsPerRank > w && r * PresenceBits.wordsPerRank <= words - 1 {
                b[4 * r] &-= 1  // the ranks here are small: no borrow
            }
        }
        #expect(failure { _ = try HeroIndex(path: path).routing() }
                == "\(path): section 'RIDS' at byte \(ids.offset + UInt64(moved / 64 * 8)): token id \(moved) is outside the vocabulary of \(vocabulary)")
    }

    /// The merge replays a shard's spilled windows as they are: the same tier as adding those
    /// windows, and a spill that does not hold what it records is refused naming the shard.
    @Test func replayedShardWindowsGiveTheSameTierAndBadOnesAreRefused() throws {
        func builder() throws -> WindowPostingsBuilder {
            try WindowPostingsBuilder(vocabularySize: 100, windowTokens: 1_024, listShare: 0.9, name: "merged.phb")
        }
        let windows: [[UInt32]] = [[1, 5, 99], [], [5, 6], [1, 99]]
        let direct = try builder()
        for w in windows { try direct.add(window: ArraySlice(w)) }
        // The same windows as a shard spill of two halves, each in the builder's encoding.
        func spill(_ ws: ArraySlice<[UInt32]>) -> [UInt8] {
            var out: [UInt8] = []
            for w in ws {
                Varint.append(UInt32(w.count), to: &out)
                var previous: UInt32 = 0
                for id in w { Varint.append(id - previous, to: &out); previous = id }
            }
            return out
        }
        let replayed = try builder()
        for half in [windows[0..<2], windows[2..<4]] {
            try replayed.append(ShardWindows(spill: SectionBlob(spill(half)), windowCount: 2, lineStarts: nil, lineBreaks: 0),
                                name: "part.phb")
        }
        let directTier = try direct.finish()
        #expect(try replayed.finish() == directTier)
        // Own windows before and after replayed ones keep their order.
        let mixed = try builder()
        try mixed.add(window: ArraySlice(windows[0]))
        try mixed.append(ShardWindows(spill: SectionBlob(spill(windows[1..<2])), windowCount: 1, lineStarts: nil, lineBreaks: 0),
                         name: "part.phb")
        try mixed.append(ShardWindows(spill: SectionBlob(spill(windows[2..<3])), windowCount: 1, lineStarts: nil, lineBreaks: 0),
                         name: "part.phb")
        try mixed.add(window: ArraySlice(windows[3]))
        #expect(try mixed.finish() == directTier)
        let adoptedFirst = try builder()
        try adoptedFirst.append(ShardWindows(spill: SectionBlob(spill(windows[0..<3])), windowCount: 3, lineStarts: nil, lineBreaks: 0),
                                name: "part.phb")
        try adoptedFirst.add(window: ArraySlice(windows[3]))
        #expect(try adoptedFirst.finish() == directTier)
        let bad: [([UInt8], Int, String)] = [
            ([1, 100], 1, "part.phb: shard window lists hold token id 100, outside the vocabulary of 100"),
            ([1, 7, 0], 1, "part.phb: shard window lists hold more windows than recorded (1)"),
            ([2, 7], 1, "part.phb: shard window lists end early (1 of 1 windows missing)"),
            ([1, 0x87], 1, "part.phb: shard window lists end early (1 of 1 windows missing)"),
        ]
        for (bytes, count, message) in bad {
            let b = try builder()
            #expect(failure { try b.append(ShardWindows(spill: SectionBlob(bytes), windowCount: count, lineStarts: nil,
                                                        lineBreaks: 0), name: "part.phb") } == message)
        }
    }
}
