import Testing
import Foundation
@testable import ProteusIndex

/// Phase 1 on its own: the frozen DNA survives its file exactly, and a build with it equals
/// a build that learns it.
@Suite struct FrozenDNATests {
    static let haystack = BuildTestCorpus.inserting(BuildTestCorpus.needle, into: BuildTestCorpus.haystack(600_000), at: 400_000)

    @Test func theDNAFileRoundTripsExactlyAndScoresTheSame() throws {
        let source = try MemoryTokenSource(tokens: Self.haystack)
        let pipeline = try BuildPipeline(parameters: fastParameters())
        let dna = try pipeline.learn(source: source, embeddings: nil, threads: 2)
        #expect(dna.gates != nil)
        let bytes = DNAFile.encode(dna)
        let back = try bytes.withUnsafeBytes { try DNAFile.decode($0) { ProteusError(.dataError, $0) } }
        #expect(back.statistics.surprisal == dna.statistics.surprisal)
        #expect(back.features.values == dna.features.values)
        #expect(back.gates?.state == dna.gates?.state)
        #expect(DNAFile.encode(back) == bytes)
        let learned = try pipeline.run(source: source, threads: 2)
        let frozen = try pipeline.run(source: source, dna: back, threads: 1)
        #expect(learned == frozen)
        #expect(frozen.retains(BuildTestCorpus.needle, at: 400_000))
    }

    /// The chunks between two publications of the gates are picked side by side and their
    /// lessons taught in sample order: the gates are those of the plain loop (score, pick and
    /// teach one chunk after the other), on any thread count.
    @Test func theGatesEvolveAsInOrderOnAnyThreadCount() throws {
        let tokens = Self.haystack
        let source = try MemoryTokenSource(tokens: tokens)
        var p = fastParameters()
        p.chunkLength = 4_096  // 147 sample chunks (the whole corpus): runs of 1, 2, 4 ... 32 between publications
        let pipeline = try BuildPipeline(parameters: p)
        let learned = try [1, 2, 3].map { try pipeline.learn(source: source, embeddings: nil, threads: $0) }
        let reference = SalienceGates(count: p.gateCount, dimension: learned[0].features.dimension, focusRows: [])
        let scorer = ChunkScorer(tables: learned[0].scoreTables(p, identifierShapes: nil), candidateLimit: p.candidateLimit,
                                 championLimit: p.perChunk, bonusMargin: reference.maximumBonus)
        let picker = ChampionPicker(parameters: p, features: learned[0].features, rows: FeatureRows(learned[0].features),
                                    gates: reference)
        let result = ChunkResult(chunkLength: p.chunkLength, candidateLimit: p.candidateLimit)
        // A shared table's picks equal the cache's, with an id missing from it (NaN) computed.
        let rowCount = learned[0].features.rowCount
        let table = UnsafeMutablePointer<Float>.allocate(capacity: rowCount)
        defer { table.deallocate() }
        for (chunk, start) in stride(from: 0, to: tokens.count, by: p.chunkLength).enumerated() {
            tokens.withUnsafeBufferPointer {
                let window = UnsafeBufferPointer(rebasing: $0[start..<min(tokens.count, start + p.chunkLength)])
                scorer.score(window, index: chunk, start: UInt64(start), into: result)
            }
            if chunk % 16 == 3 {
                table.initialize(repeating: .nan, count: rowCount)
                picker.fillBonuses((0..<UInt32(rowCount)).filter { $0 % 2 == 0 }[...], into: table)
                let cached = Array(picker.pick(result))
                #expect(Array(picker.pick(result, bonuses: table)) == cached)
            }
            picker.teach(picker.lesson(champions: picker.pick(result), tokens: result.tokens, chunk: chunk), chunk: chunk)
        }
        picker.publishFinal()
        #expect(reference.state.activeCount > 0)
        for dna in learned {
            #expect(dna.gates?.state == reference.state)
            #expect(DNAFile.encode(dna) == DNAFile.encode(learned[0]))
        }
    }

    @Test func vocabularyAndTokenizerMismatchesNameTheField() throws {
        let source = try MemoryTokenSource(tokens: Self.haystack)
        var dna = try BuildPipeline(parameters: fastParameters()).learn(source: source, embeddings: nil)
        let a = TokenizerIdentity(name: "a", sha256: [UInt8](repeating: 1, count: 32), vocabularySize: 100)
        let b = TokenizerIdentity(name: "b", sha256: [UInt8](repeating: 2, count: 32), vocabularySize: 100)
        let c = TokenizerIdentity(name: "c", sha256: [UInt8](repeating: 3, count: 32), vocabularySize: 200)
        dna.tokenizer = a
        #expect(throws: Never.self) { try DNACompatibility.check(dna, path: "x.dna", parameters: fastParameters(), tokenizer: a) }
        #expect { try DNACompatibility.check(dna, path: "x.dna", parameters: fastParameters(), tokenizer: b) } throws: {
            ($0 as? ProteusError)?.description.hasPrefix("x.dna: tokenizer differs: learned with 'a'") == true
        }
        #expect { try DNACompatibility.check(dna, path: "x.dna", parameters: fastParameters(), tokenizer: c) } throws: {
            ($0 as? ProteusError)?.description.hasPrefix("x.dna: vocabulary differs: learned with 100 ids") == true
        }
        var p = fastParameters()
        p.topP = 0.5
        #expect { try DNACompatibility.check(dna, path: "x.dna", parameters: p, tokenizer: a) } throws: {
            ($0 as? ProteusError)?.description.hasPrefix("x.dna: '--top-p' differs: learned with 0.9, this build has 0.5") == true
        }
    }
}
