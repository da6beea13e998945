import Testing
@testable import ProteusIndex

/// `ShardSpec.boundary`, the one rule of `--shard i/N`: a token range for one input file, whole
/// files by size for several, every cut on a unit edge. Expectations worked out by hand.
@Suite struct ShardSplitTests {
    /// Where shards 1..N of a corpus start, then its chunk count (the N + 1 boundaries).
    static func boundaries(_ n: Int, tokens: UInt64, chunk: Int = 4096, files: [UInt64]) -> [Int] {
        (0...n).map { ShardSpec.boundary($0, of: n, tokenCount: tokens, chunkLength: chunk, fileStarts: files) }
    }

    @Test func oneFileIsSplitByTokenRange() {
        // 10 units of 4,096 tokens: shard i takes units [10(i-1)/4, 10i/4).
        #expect(Self.boundaries(4, tokens: 40_960, files: [0]) == [0, 2, 5, 7, 10])
        // Files without tokens do not count: one file holds them all.
        #expect(Self.boundaries(2, tokens: 40_960, files: [0, 0, 40_960]) == [0, 5, 10])
        // A last partial unit: 9.5 units count as 10.
        #expect(Self.boundaries(2, tokens: 38_912, files: [0]) == [0, 5, 10])
    }

    @Test func severalFilesAreSplitAtTheNearestFileStartRoundedDownToAUnit() {
        // Files start at 0, 10000, 55000, 58000, 88000, 89500 of 148771 tokens (37 chunks of 4096).
        let files: [UInt64] = [0, 10_000, 55_000, 58_000, 88_000, 89_500], tokens: UInt64 = 148_771
        // 1/2 is 74385.5: 88000 (13614.5 away) beats 58000 (16385.5); 88000 / 4096 = 21.48 -> chunk 21.
        #expect(Self.boundaries(2, tokens: tokens, files: files) == [0, 21, 37])
        // 1/3 is 49590.3: 55000 -> unit 13; 2/3 is 99180.7: 89500, the last start -> unit 21.
        #expect(Self.boundaries(3, tokens: tokens, files: files) == [0, 13, 21, 37])
        // 1/4 is 37192.75: 55000 (17807) beats 10000 (27193) -> 13; 2/4 -> 21; 3/4 is 111578: 89500 -> 21 (an empty shard).
        #expect(Self.boundaries(4, tokens: tokens, files: files) == [0, 13, 21, 21, 37])
        // A shard's chunks run from its boundary to the next; a partial shard's from its first's to its last's.
        #expect(ShardSpec(index: 2, count: 3).chunks(tokenCount: tokens, chunkLength: 4096, fileStarts: files) == 13..<21)
        #expect(ShardSpec(index: 2, last: 4, count: 4).chunks(tokenCount: tokens, chunkLength: 4096, fileStarts: files) == 13..<37)
    }

    @Test func aTieGoesToTheEarlierFileStart() {
        // 1/2 of 24576 is 12288, exactly between the starts 8192 and 16384: the earlier wins.
        #expect(Self.boundaries(2, tokens: 24_576, files: [0, 8_192, 16_384]) == [0, 2, 6])
        // One token later the later start is strictly nearer.
        #expect(Self.boundaries(2, tokens: 24_578, files: [0, 8_192, 16_384]) == [0, 4, 7])
    }

    @Test func moreShardsThanFilesLeavesEmptyShards() {
        // Starts 0 and 20000 of 40000 tokens, 5 shards: 1/5 (8000) is nearest 0, the rest 20000 (unit 4).
        #expect(Self.boundaries(5, tokens: 40_000, files: [0, 20_000]) == [0, 0, 4, 4, 4, 10])
    }

    @Test func aUnitOfSeveralChunksCutsOnlyOnUnitEdges() {
        // Chunks of 1024: a unit is 4 chunks. 1/2 of 12000 is 6000, nearest 5000 -> unit 1 -> chunk 4.
        #expect(Self.boundaries(2, tokens: 12_000, chunk: 1024, files: [0, 5_000, 9_000]) == [0, 4, 12])
        // The default 64K chunk is its own unit.
        #expect(Self.boundaries(2, tokens: 400_000, chunk: 65_536, files: [0, 150_000, 300_000]) == [0, 2, 7])
    }

    @Test func hugeCorporaAreComparedExactly() {
        // Products past 64 bits: 500/1000 of 2^62 tokens is exactly the second file's start, 2^61.
        let tokens: UInt64 = 1 << 62, files: [UInt64] = [0, 1 << 61, (1 << 61) + 4096]
        #expect(ShardSpec.boundary(500, of: 1000, tokenCount: tokens, chunkLength: 4096, fileStarts: files) == 1 << 49)
        #expect(ShardSpec.boundary(1, of: 1000, tokenCount: tokens, chunkLength: 4096, fileStarts: files) == 0)
    }
}
