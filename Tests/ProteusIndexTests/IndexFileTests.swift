import Testing
import Foundation
@testable import ProteusIndex

@Suite struct IndexFileTests {
    typealias F = IndexFileFixtures

    /// Writes the realistic fixture and returns (folder, path, contents).
    func written(_ tag: String) throws -> (String, String, HeroIndexContents) {
        let dir = try F.temporaryFolder(tag)
        let path = dir + "/index.phb"
        let c = F.realisticContents()
        try HeroIndexWriter.write(c, to: path, inputs: [])
        return (dir, path, c)
    }

    @Test func roundTripReturnsTheSameContents() throws {
        let (dir, path, c) = try written("roundtrip")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let index = try HeroIndex(path: path)
        try index.verify()
        #expect(try index.contents() == c)
        #expect(index.formatVersion == IndexFormat.version)
        #expect(index.tokens.count == c.tokens.count && index.scores.count == c.scores.count)
        #expect(try index.dna().gateCount == 4)
        #expect(Array(index.embeddedRanks) == c.embeddedRanks)
    }

    @Test func emptyContentsRoundTrip() throws {
        let dir = try F.temporaryFolder("empty-contents")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try HeroIndexWriter.write(HeroIndexContents(), to: dir + "/e.phb", inputs: [])
        let index = try HeroIndex(path: dir + "/e.phb")
        try index.verify()
        #expect(try index.contents() == HeroIndexContents())
    }

    @Test func writingIsDeterministic() throws {
        let (dir, path, c) = try written("deterministic")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try HeroIndexWriter.write(c, to: dir + "/again.phb", inputs: [])
        #expect(try F.read(path) == F.read(dir + "/again.phb"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["again.phb", "index.phb"])
    }

    @Test func sectionsAreAlignedAndDisjoint() throws {
        let (dir, path, _) = try written("aligned")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let index = try HeroIndex(path: path)
        #expect(index.sections.count == SectionKind.allCases.filter { !$0.isOptional }.count + (index.metadata.routing == nil ? 0 : 4))
        #expect(index.sections.allSatisfy { $0.offset % 64 == 0 })
        #expect(index.fileSize == UInt64(try F.read(path).count))
        let sorted = index.sections.sorted { $0.offset < $1.offset }
        for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(a.offset + a.length <= b.offset) }
    }

    @Test func mappedDocumentLookupMatchesDocumentTable() throws {
        let (dir, path, c) = try written("doclookup")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let docs = try HeroIndex(path: path).documents()
        for position: UInt64 in [0, 599_999, 600_000, 1_234_566, 1_234_567, 9_999_999] {
            #expect(docs.document(containing: position) == c.documents.document(containing: position))
        }
        #expect(docs.name(2) == "ünïcødé name.txt")
    }

    @Test func everyCorruptSectionIsNamedByVerify() throws {
        let (dir, path, _) = try written("corrupt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pristine = try F.read(path)
        let sections = try HeroIndex(path: path).sections
        for s in sections where s.length > 0 {
            var b = pristine
            b[Int(s.offset + s.length / 2)] ^= 0x40
            try F.write(b, to: path)
            let expected = "\(path): section '\(s.name)' at byte \(s.offset): checksum mismatch"
            if s.kind == .metadata {
                #expect(failure { _ = try HeroIndex(path: path) } == expected)
                continue
            }
            let index = try HeroIndex(path: path) // opening stays O(1): no full checksum pass
            #expect(failure { try index.verify() } == expected)
            if s.kind!.verifiedOnAccess {
                #expect(failure { _ = try index.contents() } == expected, "first access of \(s.name)")
            }
        }
    }

    @Test func corruptHeaderOrTableIsAHeaderChecksumError() throws {
        let (dir, path, _) = try written("header")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pristine = try F.read(path)
        for position in [20, 40, 64 + 8, 64 + 40 * 3 + 33] {
            var b = pristine
            b[position] ^= 1
            try F.write(b, to: path)
            #expect(failure { _ = try HeroIndex(path: path) } == "\(path): header at byte 0: checksum mismatch")
        }
    }

    @Test func truncationIsReportedWithBothSizes() throws {
        let (dir, path, _) = try written("truncate")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pristine = try F.read(path)
        for length in [63, 8] {
            try F.write(Array(pristine[..<length]), to: path)
            #expect(failure { _ = try HeroIndex(path: path) }
                    == "\(path): truncated: file has \(length) bytes, less than the 64-byte header")
        }
        for length in [64, 1_000, pristine.count / 2, pristine.count - 1] {
            try F.write(Array(pristine[..<length]), to: path)
            #expect(failure { _ = try HeroIndex(path: path) }
                    == "\(path): truncated: header says \(pristine.count) bytes, file has \(length)")
        }
        try F.write(pristine + [0, 0, 0], to: path)
        #expect(failure { _ = try HeroIndex(path: path) }
                == "\(path): size mismatch: header says \(pristine.count) bytes, file has \(pristine.count + 3) (data appended after the index?)")
    }

    @Test func versionChecks() throws {
        let (dir, path, _) = try written("version")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pristine = try F.read(path)
        var b = pristine
        F.put(UInt32(7), &b, 8); F.put(UInt32(7), &b, 12)
        try F.write(b, to: path)
        #expect(failure { _ = try HeroIndex(path: path) }
                == "\(path): index format version 7 is newer than this proteus-index (reads 2); upgrade proteus-index")
        b = pristine
        F.put(UInt32(0), &b, 8)
        try F.write(b, to: path)
        #expect(failure { _ = try HeroIndex(path: path) }
                == "\(path): index format version 0 is too old (oldest readable is \(IndexFormat.oldestReadable)); rebuild it")
        b = pristine
        F.put(UInt32(1), &b, 8); F.put(UInt32(1), &b, 12)
        try F.write(b, to: path)
        #expect(failure { _ = try HeroIndex(path: path) }
                == "\(path): index format version 1 is too old (oldest readable is 2); rebuild it")
        // A newer writer that still declares itself readable by this version is accepted.
        try F.write(pristine, to: path)
        try F.editTable(path) { F.put(UInt32(7), &$0, 8) }
        #expect(try HeroIndex(path: path).formatVersion == 7)
    }

    @Test func theWindowReachIsRecordedAndAnOlderIndexReadsTheOldOne() throws {
        var m = IndexMetadata()
        m.windowReach = 200
        let bytes = m.encoded()
        func decoded(_ b: [UInt8]) throws -> IndexMetadata {
            try b.withUnsafeBytes { try IndexMetadata.decode($0) { ProteusError(.dataError, path: "index.phb", "section 'META': \($0)") } }
        }
        #expect(try decoded(bytes).windowReach == 200)
        #expect(IndexMetadata().windowReach == RoutingTierContents.windowReach)
        // META of an index built before the reach was recorded ends just before it.
        #expect(try decoded(Array(bytes.dropLast(8))).windowReach == 64)
        let negative = Array(bytes.dropLast(8)) + [UInt8](repeating: 0xFF, count: 8)
        #expect(failure { _ = try decoded(negative) } == "index.phb: section 'META': routing window reach of -1 tokens is impossible")
    }

    @Test func foreignFilesAreExplained() throws {
        let dir = try F.temporaryFolder("foreign")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/x"
        let build = "; build an index with `proteus-index build`"
        let cases: [([UInt8], String)] = [
            ([], "it is empty"),
            ([0x28, 0xB5, 0x2F, 0xFD] + [UInt8](repeating: 0, count: 100), "it looks like a .tok token file" + build),
            ([0x5E, 0x2A, 0x4D, 0x18, 8, 0, 0, 0] + [UInt8](repeating: 1, count: 80), "it looks like a .tok token file" + build),
            (Array("The best thing to do in San Francisco is eat a sandwich.\r\n".utf8), "it looks like a text file"),
            (Array(("a" + String(repeating: "é", count: 300)).utf8), "it looks like a text file"), // sample cut mid-character
            (Array("naïve café ".utf8) + [0xC3], "unrecognised first bytes 6e 61 c3 af 76 65 20 63"), // whole file, broken UTF-8
            ([0x93] + Array("NUMPY".utf8) + [1, 0], "it looks like a numpy .npy array"),
            ([0x88, 0xD8, 0x34, 0x01] + [UInt8](repeating: 0, count: 1020), "it looks like an llm.c token shard" + build),
            (Array("MMIDIDX\0\0".utf8) + [1, 0, 0, 0], "it looks like a Megatron dataset index" + build),
            ([0x00, 0x01, 0xFF, 0xFE, 0x10, 0x20, 0x30, 0x40, 0x50], "unrecognised first bytes 00 01 ff fe 10 20 30 40"),
        ]
        for (bytes, why) in cases {
            try F.write(bytes, to: path)
            #expect(failure { _ = try HeroIndex(path: path) } == "\(path): not a proteus-index file (\(why))")
        }
        // A CR/LF-translating transfer turns "\r\n" into "\n" and shifts the rest of the header.
        let (d2, indexPath, _) = try written("foreign-index")
        defer { try? FileManager.default.removeItem(atPath: d2) }
        var damaged = try F.read(indexPath)
        damaged.remove(at: 4)
        try F.write(damaged, to: path)
        #expect(failure { _ = try HeroIndex(path: path) }
                == "\(path): not a proteus-index file (its first bytes look like a damaged index header, perhaps from a text-mode transfer)")
    }

    @Test func structuralTableErrors() throws {
        let (dir, path, _) = try written("structure")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pristine = try F.read(path)
        let index = try HeroIndex(path: path)
        let htok = index.entry(.heroTokens), hsco = index.entry(.heroScores)
        let e = F.entryPosition(pristine, .heroTokens)
        func expectFailure(_ message: String, _ edit: (inout [UInt8]) -> Void) throws {
            try F.write(pristine, to: path)
            try F.editTable(path, edit)
            #expect(failure { _ = try HeroIndex(path: path) } == "\(path): \(message)")
        }
        try expectFailure("section 'HTOK' at byte \(htok.offset + 4): not aligned to 64 bytes") { F.put(htok.offset + 4, &$0, e + 8) }
        try expectFailure("section 'HTOK' at byte \(htok.offset): \(UInt64(pristine.count)) bytes do not fit between the section table and the end of the file (\(pristine.count) bytes)") {
            F.put(UInt64(pristine.count), &$0, e + 16); F.put(UInt64(pristine.count / 4), &$0, e + 24)
        }
        try expectFailure("section 'HTOK' at byte \(htok.offset): length \(htok.length) does not match \(htok.count + 1) elements of 4 bytes") {
            F.put(htok.count + 1, &$0, e + 24)
        }
        try expectFailure("section 'HSCO' at byte \(htok.offset): overlaps section 'HTOK'") {
            F.put(htok.offset, &$0, F.entryPosition($0, .heroScores) + 8)
        }
        try expectFailure("section 'HTOK' at byte \(hsco.offset): second section of the same kind") {
            F.put(SectionKind.heroTokens.code, &$0, F.entryPosition($0, .heroScores))
        }
        try expectFailure("section 'HTOK' is missing") { F.put(UInt32(0x5858_5858), &$0, e) }
        try expectFailure("section 'HSCO' at byte \(hsco.offset): \(hsco.count) elements, expected \(htok.count - 1) (one score per hero token)") {
            F.put(htok.count - 1, &$0, e + 24); F.put((htok.count - 1) * 4, &$0, e + 16)
        }
        try expectFailure("header at byte 0: section table (300 entries at byte 64) does not fit in the file") { F.put(UInt32(300), &$0, 16) }
        try expectFailure("header at byte 0: section table (\(index.sections.count) entries at byte 18446744073709551608) does not fit in the file") {
            F.put(UInt64.max - 7, &$0, 32)
        }
    }

    @Test func unknownSectionsAreIgnored() throws {
        let (dir, path, c) = try written("unknown")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var b = try F.read(path)
        // A newer writer's extra section: a 64-byte section at the end and a row in the table.
        // The sections move down by 64 bytes (alignment kept) to make room for the row.
        let count = Int(F.u32(b, 16))
        let tableEnd = 64 + count * IndexFormat.tableEntrySize
        let firstSection = Int(try HeroIndex(path: path).sections.map(\.offset).min()!)
        if firstSection - tableEnd < IndexFormat.tableEntrySize {
            b.insert(contentsOf: [UInt8](repeating: 0, count: 64), at: firstSection)
            for i in 0..<count {
                let e = 64 + i * IndexFormat.tableEntrySize
                F.put(F.u64(b, e + 8) + 64, &b, e + 8)
            }
        }
        let extra: [UInt8] = Array(repeating: 7, count: 64)
        b += [UInt8](repeating: 0, count: (64 - b.count % 64) % 64)
        let extraOffset = UInt64(b.count)
        b += extra
        var row = [UInt8](repeating: 0, count: IndexFormat.tableEntrySize)
        F.put(UInt32(0x5A5A_5A5A), &row, 0)
        F.put(UInt32(1), &row, 4); F.put(extraOffset, &row, 8); F.put(UInt64(64), &row, 16); F.put(UInt64(64), &row, 24)
        F.put(XXH64.hash(extra), &row, 32)
        b.replaceSubrange(tableEnd..<tableEnd + row.count, with: row)
        F.put(UInt32(count + 1), &b, 16)
        F.put(UInt64(b.count), &b, 24)
        try F.write(b, to: path)
        try F.editTable(path) { _ in }
        let index = try HeroIndex(path: path)
        try index.verify()
        #expect(index.sections.last?.name == "ZZZZ")
        #expect(try index.contents() == c)
    }

    @Test func writerRefusesInconsistentContentsAndItsInput() throws {
        let dir = try F.temporaryFolder("writer")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var c = F.realisticContents()
        c.scores.removeLast()
        let path = dir + "/i.phb"
        #expect(failure { try HeroIndexWriter.write(c, to: path, inputs: []) }
                == "\(path): cannot write index: \(c.tokens.count) hero tokens but \(c.scores.count) scores")
        c = F.realisticContents()
        c.dna.features.removeLast()
        #expect(failure { try HeroIndexWriter.write(c, to: path, inputs: []) }
                == "\(path): cannot write index: \(c.dna.features.count) feature values, expected rows × featureDimension = \(c.dna.ids.count) × 8")
        c = F.realisticContents()
        c.tokens[7] = 1_000
        #expect(failure { try HeroIndexWriter.write(c, to: path, inputs: []) }
                == "\(path): cannot write index: hero token 7 has id 1000, outside the vocabulary of 1000")
        #expect(!FileManager.default.fileExists(atPath: path))
        try F.write([1, 2, 3], to: path)
        let identity = try SystemFile(openForReading: path).identity
        #expect(failure { try HeroIndexWriter.write(HeroIndexContents(), to: path, inputs: [identity]) }
                == "\(path): output path is also an input; choose another output")
    }
}
