import Testing
import Foundation
@testable import ProteusIndex

@Suite struct BuildTests {
    static let haystack = BuildTestCorpus.haystack(1_048_576)

    func build(_ tokens: [UInt32], _ p: BuildParameters = fastParameters(), threads: Int = 1,
               documents: DocumentTable? = nil) throws -> HeroIndexContents {
        let source = try MemoryTokenSource(tokens: tokens, documents: documents)
        return try BuildPipeline(parameters: p).run(source: source, threads: threads)
    }

    @Test(arguments: [0.0, 0.37, 0.77, 0.999])
    func needleSurvivesAtDepth(_ depth: Double) throws {
        let needle = BuildTestCorpus.needle
        let position = Int(Double(Self.haystack.count - needle.count) * depth)
        let tokens = BuildTestCorpus.inserting(needle, into: Self.haystack, at: position)
        let contents = try build(tokens)
        let promised = BuildTestCorpus.promisedOffsets(of: needle, in: Self.haystack, span: 8)
        #expect(promised == Array(needle.indices), "the needle's rare words cluster: all of it is promised")
        #expect(contents.retains(needle, at: position, offsets: promised), "needle lost at depth \(depth)")
        #expect(contents.tokens.count == contents.parameters.bufferTokens)
        #expect(!contents.statistics.keptWhole)
        #expect(contents.statistics.evicted > 0)
    }

    @Test func withoutTheNeedleTheSpotHoldsNoHeroesOfItsOwn() throws {
        // Guards the needle test against passing by accident (the buffer is half the input).
        let position = 600_000
        let contents = try build(Self.haystack)
        let promised = BuildTestCorpus.promisedOffsets(of: BuildTestCorpus.needle, in: Self.haystack, span: 8)
        let covered = promised.filter { contents.hero(at: UInt64(position + $0)) != nil }
        #expect(covered.count < promised.count / 2)
    }

    @Test func jigsawCluesInDifferentChunksAreBothKept() throws {
        let a = BuildTestCorpus.needle, b = BuildTestCorpus.secondClue
        var tokens = BuildTestCorpus.inserting(a, into: Self.haystack, at: 131_000)
        tokens = BuildTestCorpus.inserting(b, into: tokens, at: 917_500)
        var p = fastParameters()
        p.bufferTokens = 4_096
        let contents = try build(tokens, p)
        #expect(contents.retains(a, at: 131_000, offsets: BuildTestCorpus.promisedOffsets(of: a, in: Self.haystack, span: 8)))
        #expect(contents.retains(b, at: 917_500, offsets: BuildTestCorpus.promisedOffsets(of: b, in: Self.haystack, span: 8)))
    }

    @Test func heroPositionsIncreaseAndHoldTheTrueTokens() throws {
        let tokens = BuildTestCorpus.inserting(BuildTestCorpus.needle, into: Self.haystack, at: 500_000)
        let contents = try build(tokens)
        let positions = contents.heroPositions
        #expect(positions.count == contents.tokens.count)
        #expect(zip(positions, positions.dropFirst()).allSatisfy { $0 < $1 })
        #expect(zip(positions, contents.tokens).allSatisfy { tokens[Int($0)] == $1 })
        #expect(contents.scores.count == contents.tokens.count)
        #expect(contents.spans.allSatisfy { $0.score == contents.scores[Int($0.firstHero)..<Int($0.firstHero + $0.length)].max() })
        #expect(contents.spanFeatures.count == contents.spans.count * contents.dna.featureDimension)
        #expect(contents.statistics.heroTokens == contents.tokens.count)
        #expect(contents.statistics.spans == contents.spans.count)
    }

    @Test func clusterKeepsWhatTheBudgetAllowsAndCountsTheRest() throws {
        // 40 distinct rare needles packed into one chunk; a buffer with room for 10 windows.
        var tokens = Array(Self.haystack.prefix(262_144))
        let base = UInt32(BuildTestCorpus.vocabulary.count + 1_000)
        for k in 0..<40 { tokens[70_000 + 100 * k] = base + UInt32(k) }
        var p = fastParameters()
        p.signals = [.surprisal, .burstiness, .spans]  // no gates: the needles tie exactly
        p.span = 2
        p.bufferTokens = 50
        p.topP = 1
        let contents = try build(tokens, p)
        let kept = (0..<40).filter { contents.hero(at: UInt64(70_000 + 100 * $0)) == base + UInt32($0) }
        #expect(kept.count == 10)
        #expect(kept == Array(0..<10), "equal scores: earlier positions win")
        #expect(contents.tokens.count == 50)
        #expect(contents.statistics.champions >= 40)
        #expect(contents.statistics.evicted == contents.statistics.champions - 10)
    }

    @Test func threadCountNeverChangesTheResult() throws {
        var tokens = BuildTestCorpus.inserting(BuildTestCorpus.needle, into: Self.haystack, at: 300_001)
        tokens = Array(tokens.prefix(700_000))
        var p = fastParameters()
        p.chunkLength = 16_384
        p.perChunk = 1_024
        p.bufferTokens = 8_192
        p.focus = "magic sandwich"
        let source = try MemoryTokenSource(tokens: tokens)
        let focus = BuildTestCorpus.tokenize("magic sandwich")
        let one = try BuildPipeline(parameters: p).run(source: source, focusTokens: focus, threads: 1)
        let two = try BuildPipeline(parameters: p).run(source: source, focusTokens: focus, threads: 2)
        let three = try BuildPipeline(parameters: p).run(source: source, focusTokens: focus, threads: 3)
        #expect(one == two)
        #expect(one == three)
        #expect(one.dna.gateConfidence.contains { $0 > 0 })
    }

    @Test func documentSplitsDoNotChangeTheHeroes() throws {
        let tokens = Array(BuildTestCorpus.inserting(BuildTestCorpus.needle, into: Self.haystack, at: 200_000).prefix(400_000))
        var table = DocumentTable()
        for (i, length) in [100_003, 99_997, 1, 150_000, 49_999].enumerated() { table.append(name: "doc\(i)", length: UInt64(length)) }
        var p = fastParameters()
        p.bufferTokens = 8_192
        let whole = try build(tokens, p)
        let split = try build(tokens, p, threads: 2, documents: table)
        #expect(whole.heroPositions == split.heroPositions)
        #expect(whole.tokens == split.tokens)
        #expect(whole.scores == split.scores)
        #expect(whole.dna == split.dna)
        // Documents only cut spans: one more span for each boundary that falls inside a run of
        // consecutive heroes, every other count the same.
        let positions = whole.heroPositions
        let boundaries = Set(table.starts.dropFirst())
        let runs = positions.indices.filter { $0 == 0 || positions[$0] != positions[$0 - 1] + 1 }.count
        let cuts = positions.indices.dropFirst().filter {
            positions[$0] == positions[$0 - 1] + 1 && boundaries.contains(positions[$0])
        }.count
        #expect(cuts > 0, "the test wants a document boundary inside a run of heroes")
        #expect(whole.statistics.spans == runs)
        #expect(split.statistics.spans == runs + cuts)
        var wholeCounts = whole.statistics, splitCounts = split.statistics
        wholeCounts.spans = 0
        splitCounts.spans = 0
        #expect(wholeCounts == splitCounts)
        // Spans never cross a document boundary and name the document they lie in.
        for s in split.spans {
            let d = Int(s.document)
            #expect(s.start >= table.starts[d] && s.start + UInt64(s.length) <= table.starts[d] + table.lengths[d])
        }
        #expect(split.documents == table)
    }

    @Test func smallInputIsKeptWhole() throws {
        let tokens = Array(Self.haystack.prefix(20_000))
        let contents = try build(tokens)
        #expect(contents.statistics.keptWhole)
        #expect(contents.tokens == tokens)
        #expect(contents.spans == [HeroSpan(start: 0, firstHero: 0, length: 20_000, document: 0,
                                            score: contents.scores.max()!)])
        #expect(contents.statistics.evicted == 0)
    }

    @Test func emptyInputBuildsAnEmptyIndex() throws {
        let source = try MemoryTokenSource(tokens: [])
        #expect(source.tokenCount == 0)
        let contents = try BuildPipeline(parameters: fastParameters()).run(source: source, threads: 2)
        #expect(contents.tokens.isEmpty && contents.spans.isEmpty)
        #expect(contents.statistics.keptWhole && contents.statistics.chunks == 0)
    }

    @Test func progressReachesTheTotal() throws {
        var seen: [UInt64] = []
        let source = try MemoryTokenSource(tokens: Array(Self.haystack.prefix(200_000)))
        var p = fastParameters()
        p.bufferTokens = 1_000
        _ = try BuildPipeline(parameters: p).run(source: source, threads: 2) { done, total in
            #expect(total == 200_000)
            seen.append(done)
        }
        #expect(seen == [65_536, 131_072, 196_608, 200_000])
    }

    @Test func signalsCanBeSwitchedOff() throws {
        let needle = BuildTestCorpus.needle
        let at = 150_000
        let tokens = BuildTestCorpus.inserting(needle, into: Array(Self.haystack.prefix(300_000)), at: at)
        let sandwich = BuildTestCorpus.vocabulary["sandwich"]!
        let offset = needle.firstIndex(of: sandwich)!
        var p = fastParameters()
        p.bufferTokens = 2_048
        p.signals = [.surprisal]
        let plain = try build(tokens, p)
        #expect(plain.dna.gateConfidence.allSatisfy { $0 == 0 })
        // Without spans only champions are heroes: the rare word, not its common neighbour "a".
        #expect(plain.hero(at: UInt64(at + offset)) == sandwich)
        #expect(plain.hero(at: UInt64(at + offset - 1)) == nil)
        p.signals = .all
        let full = try build(tokens, p)
        #expect(full.dna.gateConfidence.contains { $0 > 0 })
        #expect(full.retains(needle, at: at, offsets: BuildTestCorpus.promisedOffsets(of: needle, in: Self.haystack, span: 8)))
    }
}
