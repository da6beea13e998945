import Foundation
import Testing
@testable import ProteusIndex

/// The document tables of large inputs are views of bytes on disk, not copies: what a table
/// holds in memory does not grow with its documents (issue 12, part 5), and every lookup
/// agrees with a table held in memory.
@Suite struct DocumentTableTests {
    /// Document lengths with empty documents and runs of equal starts, so lookups meet the
    /// "empty documents never contain a position" rule at every checkpoint stride.
    static func lengths(_ count: Int, seed: UInt64) -> [UInt64] {
        var random = SplitMix(seed: seed)
        return (0..<count).map { _ in
            let r = random.next() % 10
            return r < 3 ? 0 : r % 4 + 1
        }
    }

    static func table(_ lengths: [UInt64], name: (Int) -> String) -> DocumentTable {
        var t = DocumentTable()
        for (d, n) in lengths.enumerated() { t.append(name: name(d), length: n) }
        return t
    }

    /// Every lookup of `table` agrees with `expected` (held in memory).
    static func expectSame(_ table: DocumentTable, _ expected: DocumentTable, _ comment: Comment) {
        #expect(table == expected, comment)
        #expect(table.count == expected.count && table.tokenCount == expected.tokenCount, comment)
        var wrong = 0
        for p in 0...(expected.tokenCount + 1) where table.document(containing: p) != expected.document(containing: p) {
            wrong += 1
        }
        #expect(wrong == 0, comment)
        for d in Swift.stride(from: 0, to: expected.count, by: 97) {
            #expect(table.start(d) == expected.start(d) && table.length(d) == expected.length(d)
                    && table.name(d) == expected.name(d), comment)
        }
    }

    /// A Megatron dataset of `documents` one- to three-sequence documents (some empty, some
    /// of empty sequences), written in order.
    static func megatron(_ dir: FormatScratch, _ prefix: String = "m", documents: Int,
                         seed: UInt64) throws -> (MegatronDataset, [UInt64]) {
        var random = SplitMix(seed: seed)
        var sequenceLengths: [Int32] = [], documentIndices: [Int64] = [0], documentLengths: [UInt64] = []
        for _ in 0..<documents {
            let sequences = Int(random.next() % 4)
            var length: UInt64 = 0
            for _ in 0..<sequences {
                let n = Int32(random.next() % 3)
                sequenceLengths.append(n)
                length += UInt64(n)
            }
            documentIndices.append(Int64(sequenceLengths.count))
            documentLengths.append(length)
        }
        var pointers: [Int64] = [], at: Int64 = 0
        for n in sequenceLengths { pointers.append(at); at += 2 * Int64(n) }
        try dir.write(prefix + ".bin", [UInt8](repeating: 7, count: Int(at)))
        try dir.write(prefix + ".idx", MegatronDatasetTests.idx(lengths: sequenceLengths, pointers: pointers,
                                                                documents: documentIndices))
        return (try MegatronDataset(path: dir.path + "/" + prefix), documentLengths)
    }

    @Test func megatronDocumentsAreReadInPlace() throws {
        let dir = try FormatScratch("documents")
        let (source, lengths) = try Self.megatron(dir, documents: 3000, seed: 1)
        let expected = Self.table(lengths) { "\(dir.path)/m.bin#\($0)" }
        Self.expectSame(source.documents, expected, "megatron")
    }

    @Test func megatronMemoryDoesNotGrowWithDocuments() throws {
        let dir = try FormatScratch("documents")
        let (small, _) = try Self.megatron(dir, "small", documents: 1000, seed: 2)
        let (large, lengths) = try Self.megatron(dir, "large", documents: 100_000, seed: 3)
        // 99,000 more documents (about 150,000 more sequences) add about 30 KB of
        // checkpoints (8 bytes per 64 documents and per 64 sequences), where a copy adds at
        // least a start and a length per document.
        #expect(large.documents.heldBytes - small.documents.heldBytes < 99_000 / 2)
        #expect(Self.table(lengths) { "\($0)" }.heldBytes > 16 * 100_000)
    }

    /// A `.tok` of `lengths.count` documents, written by `TokWriter`.
    static func tok(_ dir: FormatScratch, _ lengths: [UInt64], name: (Int) -> String) throws -> String {
        let ids = FormatFixtures.ids(Int(lengths.reduce(0, +)), below: 50_000, seed: 4)
        var at = 0
        let documents = lengths.enumerated().map { d, n -> (String, [UInt32]) in
            defer { at += Int(n) }
            return (name(d), Array(ids[at..<(at + Int(n))]))
        }
        return try TokTestSupport.writeTok(dir.path + "/t.tok", codec: .zstd, width: .u16, documents: documents)
    }

    @Test func tokDocumentsAreReadInPlaceWithEitherAccess() throws {
        let dir = try FormatScratch("documents")
        // 60,000 names of about 40 bytes: 3.6 MB of records, so the writer spills them.
        let lengths = Self.lengths(60_000, seed: 5)
        let name = { (d: Int) in "shard-\(d % 7)/document number \(d).txt" }
        let path = try Self.tok(dir, lengths, name: name)
        let expected = Self.table(lengths, name: name)
        for access in [TokFile.Access.automatic, .pread] {
            let tok = try TokFile(path: path, options: TokFile.Options(access: access))
            Self.expectSame(tok.documents, expected, "\(access)")
            #expect(tok.documents.heldBytes * 2 < tok.documents.count, "\(access)")
        }
    }

    @Test func concatenatedTablesShareTheirParts() throws {
        let dir = try FormatScratch("documents")
        let (megatron, megatronLengths) = try Self.megatron(dir, documents: 500, seed: 6)
        let tokLengths = Self.lengths(700, seed: 7)
        let tok = try TokFile(path: try Self.tok(dir, tokLengths) { "t\($0)" })
        let raw = try RawTokenFile(path: try dir.write("r.u32", FormatFixtures.bytes(FormatFixtures.ids(5, below: 9, seed: 8))))
        let empty = try MemoryTokenSource(name: "empty", tokens: [])
        let whole = ConcatenatedSource([raw, megatron, empty, tok, raw, megatron], name: "whole")
        var expected = DocumentTable()
        for source in [raw, megatron, empty, tok, raw, megatron] as [TokenSource] {
            if source === megatron {
                expected.append(contentsOf: Self.table(megatronLengths) { "\(dir.path)/m.bin#\($0)" })
            } else if source === tok {
                expected.append(contentsOf: Self.table(tokLengths) { "t\($0)" })
            } else {
                expected.append(name: source.name, length: source.tokenCount)
            }
        }
        Self.expectSame(whole.documents, expected, "concatenated")
        #expect(whole.documents.heldBytes < 2000)
    }
}
