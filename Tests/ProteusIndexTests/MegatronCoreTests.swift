import Testing
import Foundation
@testable import ProteusIndex

/// Megatron datasets written by megatron-core's own `IndexedDatasetBuilder` and read back by its
/// `IndexedDataset` (tools/reference/megatron_datasets.py) give the same ids and documents
/// through our reader, and through a `.tok` converted from it.
@Suite struct MegatronCoreTests {
    /// Documents as lists of sequence lengths: many documents of 0–3 sequences (some empty
    /// sequences, some empty documents), seeded so every run writes the same datasets.
    static func documents(_ count: Int, seed: UInt64) -> [[Int]] {
        var random = SplitMix(seed: seed)
        return (0..<count).map { _ in
            (0..<Int.random(in: 0...3, using: &random)).map { _ in
                Int.random(in: 0...9, using: &random) == 0 ? 0 : Int.random(in: 1...200, using: &random)
            }
        }
    }

    static let datasets: [(name: String, dtype: String, high: Int, documents: [[Int]])] = [
        ("int32", "int32", 128_256, documents(2000, seed: 1)),
        ("uint16", "uint16", 65_536, documents(2000, seed: 2)),
        ("uint8", "uint8", 256, documents(50, seed: 3)),
        ("all-empty", "uint16", 65_536, [[], [], [0]]),
    ]

    @Test(.enabled(if: PeerPython.megatronCore, "python3 with megatron-core and torch is not available (tools/install-deps.sh installs them)"))
    func datasetsOfTheRealBuilderReadIdentically() throws {
        let dir = try FormatScratch("megatron-core")
        let spec = Self.datasets.enumerated().map { i, d -> [String: Any] in
            ["prefix": dir.path + "/\(d.name)_text_document", "dtype": d.dtype, "seed": i + 1, "high": d.high, "documents": d.documents]
        }
        let result = try PeerPython.json("megatron_datasets.py", spec: ["datasets": spec], folder: dir.path)
        let read = result["datasets"] as! [[String: Any]]
        #expect(read.count == Self.datasets.count)
        for (d, theirs) in zip(Self.datasets, read) {
            let prefix = theirs["prefix"] as! String
            let ids = (theirs["tokens"] as! [Int]).map(UInt32.init)
            let lengths = (theirs["document_lengths"] as! [Int]).map(UInt64.init)
            #expect(lengths.count == d.documents.count && ids.count == d.documents.joined().reduce(0, +), "\(d.name)")
            if !ids.isEmpty { #expect(ids.contains { $0 >= 65_000 } == (d.high >= 65_536), "\(d.name): ids cover the dtype's range") }
            for path in [prefix, prefix + ".idx"] {
                for forcePread in [false, true] {
                    let ours = try MegatronDataset(path: path, forcePread: forcePread)
                    #expect(ours.dtypeName == d.dtype && ours.sequenceCount == (theirs["sequence_lengths"] as! [Int]).count)
                    #expect(ours.documents.lengths == lengths, "\(d.name)")
                    #expect(ours.documents.names == (0..<lengths.count).map { "\(prefix).bin#\($0)" })
                    #expect(try FormatFixtures.readAll(ours, window: 4099) == ids, "\(d.name) \(path) pread \(forcePread)")
                }
            }
            // Documents survive a conversion to .tok.
            try FormatConverter().convert(InputOpener.open([prefix]), to: prefix + ".tok")
            let tok = try TokFile(path: prefix + ".tok")
            #expect(tok.documents.lengths == lengths && tok.documents.names.first.map { $0.hasSuffix(".bin#0") } ?? true)
            #expect(try FormatFixtures.readAll(tok, window: 65_536) == ids, "\(d.name) as .tok")
        }
    }
}
