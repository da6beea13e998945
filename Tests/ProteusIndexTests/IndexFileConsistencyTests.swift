import Testing
import Foundation
@testable import ProteusIndex

/// Damage that keeps every checksum valid (a buggy writer, not bit rot): the structural
/// checks behind the checksums must still refuse it with one exact line.
@Suite struct IndexFileConsistencyTests {
    typealias F = IndexFileFixtures

    func written(_ tag: String) throws -> (dir: String, path: String) {
        let dir = try F.temporaryFolder(tag)
        try HeroIndexWriter.write(F.realisticContents(), to: dir + "/i.phb", inputs: [])
        return (dir, dir + "/i.phb")
    }

    @Test func spanOutsideTheHeroTokens() throws {
        let (dir, path) = try written("consistency-span")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try F.editSection(path, .spans) { F.put(UInt32(1_000_000), &$0, 3 * IndexFormat.spanRecordSize + 8) }
        let index = try HeroIndex(path: path)
        #expect(failure { _ = try index.spans() }
                == "\(path): section 'SPAN' at byte \(index.entry(.spans).offset): span 3 points outside the hero tokens or documents")
        #expect(failure { try index.verify() } != nil)
    }

    @Test func spanInAMissingDocument() throws {
        let (dir, path) = try written("consistency-doc")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try F.editSection(path, .spans) { F.put(UInt32(3), &$0, 16) }
        let index = try HeroIndex(path: path)
        #expect(failure { _ = try index.spans() }
                == "\(path): section 'SPAN' at byte \(index.entry(.spans).offset): span 0 points outside the hero tokens or documents")
    }

    @Test func documentsThatDoNotFollowEachOther() throws {
        let (dir, path) = try written("consistency-starts")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try F.editSection(path, .documentStarts) { F.put(UInt64(5), &$0, 8) }
        let index = try HeroIndex(path: path)
        #expect(failure { _ = try index.documents() }
                == "\(path): section 'DSTA' at byte \(index.entry(.documentStarts).offset): document 1 does not start where the previous one ends")
    }

    @Test func nameOffsetsOutOfOrder() throws {
        let (dir, path) = try written("consistency-names")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try F.editSection(path, .documentNameOffsets) { F.put(UInt64(100), &$0, 8) }
        let index = try HeroIndex(path: path)
        #expect(failure { _ = try index.documents() }
                == "\(path): section 'DNMO' at byte \(index.entry(.documentNameOffsets).offset): name offsets are not increasing")
    }

    @Test func metadataCutShort() throws {
        let (dir, path) = try written("consistency-meta")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var b = try F.read(path)
        let e = F.entryPosition(b, .metadata)
        let offset = Int(F.u64(b, e + 8)), length = Int(F.u64(b, e + 16))
        F.put(UInt64(40), &b, e + 16)
        F.put(UInt64(40), &b, e + 24)
        F.put(XXH64.hash(Array(b[offset..<offset + 40])), &b, e + 32)
        try F.write(b, to: path)
        try F.editTable(path) { _ in }
        #expect(length > 40)
        #expect(failure { _ = try HeroIndex(path: path) }
                == "\(path): section 'META' at byte \(offset): field at byte 40 runs past the end of the section (40 bytes)")
    }

    @Test func dnaTablesMustMatchTheirRows() throws {
        let (dir, path) = try written("consistency-dna")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let b = try F.read(path)
        let rows = try HeroIndex(path: path).metadata.dnaRows
        let e = F.entryPosition(b, .surprisal)
        try F.editTable(path) { F.put(UInt64(rows - 1), &$0, e + 24); F.put(UInt64((rows - 1) * 4), &$0, e + 16) }
        #expect(failure { _ = try HeroIndex(path: path) }
                == "\(path): section 'DSUR' at byte \(F.u64(b, e + 8)): \(rows - 1) elements, expected \(rows) (one per DNA row)")
    }

    /// The DNA's row ids (a presence bit per id, `DIDS`, and a rank every few words, `DRNK`)
    /// are checked on first use of the DNA, each refusal naming its section and byte.
    @Test func dnaRowIDsMustAddUpToTheRows() throws {
        let (dir, path) = try written("consistency-dna-ids")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pristine = try F.read(path)
        let index = try HeroIndex(path: path)
        let rows = index.metadata.dnaRows, vocabulary = index.metadata.vocabularySize
        let ids = index.entry(.dnaIDs), ranks = index.entry(.dnaRanks)
        let words = Int(ids.length) / 8
        #expect(words > PresenceBits.wordsPerRank && vocabulary % 64 != 0 && (vocabulary + 63) / 64 == words)
        let bits = try F.read(path)[Int(ids.offset)..<Int(ids.offset + ids.length)]
        // The last word's lowest id, whose bit is set (the last word holds no rank).
        let lastWord = Array(bits.suffix(8))
        let lowest = try #require((0..<64).first { lastWord[$0 / 8] & (1 << ($0 % 8)) != 0 })
        // One id too few.
        try F.editSection(path, .dnaIDs) { $0[8 * (words - 1) + lowest / 8] &= ~UInt8(1 << (lowest % 8)) }
        #expect(failure { _ = try HeroIndex(path: path).dna() }
                == "\(path): section 'DIDS' at byte \(ids.offset): \(rows - 1) ids for \(rows) DNA rows")
        // The same count, one id moved past the vocabulary.
        try F.write(pristine, to: path)
        try F.editSection(path, .dnaIDs) {
            $0[8 * (words - 1) + lowest / 8] &= ~UInt8(1 << (lowest % 8))
            $0[8 * words - 1] |= 0x80
        }
        #expect(failure { _ = try HeroIndex(path: path).dna() }
                == "\(path): section 'DIDS' at byte \(ids.offset): id \(words * 64 - 1) is outside the vocabulary of \(vocabulary)")
        // A rank that does not count the ids before its words.
        try F.write(pristine, to: path)
        try F.editSection(path, .dnaRanks) { $0[4] &+= 1 }
        #expect(failure { _ = try HeroIndex(path: path).dna() }
                == "\(path): section 'DRNK' at byte \(ranks.offset + 4): rank 1 does not count the ids before it")
        try F.write(pristine, to: path)
        #expect(failure { _ = try HeroIndex(path: path).dna() } == nil)
    }
}

extension IndexFileConsistencyTests {
    @Test func oversizedMetadataIsRefusedBeforeReading() throws {
        let (dir, path) = try written("consistency-bigmeta")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var b = try F.read(path)
        b += [UInt8](repeating: 0, count: (64 - b.count % 64) % 64)
        let offset = UInt64(b.count), length = UInt64(IndexFormat.maximumMetadataSize + 64)
        b += [UInt8](repeating: 0, count: Int(length))
        let e = F.entryPosition(b, .metadata)
        F.put(offset, &b, e + 8); F.put(length, &b, e + 16); F.put(length, &b, e + 24)
        F.put(UInt64(b.count), &b, 24)
        try F.write(b, to: path)
        try F.editTable(path) { _ in }
        #expect(failure { _ = try HeroIndex(path: path) }
                == "\(path): section 'META' at byte \(offset): \(length) bytes, more than the 16777216-byte limit for metadata")
    }
}

extension IndexFileConsistencyTests {
    @Test func heroTokenOutsideTheVocabularyFailsVerify() throws {
        let dir = try F.temporaryFolder("consistency-vocab")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/i.phb"
        try HeroIndexWriter.write(F.realisticContents(), to: path, inputs: [])
        try HeroIndex(path: path).verify()
        try F.editSection(path, .heroTokens) { F.put(UInt32(1_000), &$0, 5 * 4) }
        let index = try HeroIndex(path: path)
        #expect(failure { try index.verify() }
                == "\(path): section 'HTOK' at byte \(index.entry(.heroTokens).offset): hero token 5 has id 1000, outside the vocabulary of 1000")
    }
}
