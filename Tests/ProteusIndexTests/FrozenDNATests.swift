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
