import Foundation
import TestSupport
@testable import ProteusIndex

/// Shared helpers for the `.phb` tests: temporary folders, a realistic contents value, and
/// byte-level surgery on written files.
enum IndexFileFixtures {
    /// A fresh folder under $TMPDIR, removed by its user or, at the latest, when the test
    /// process exits (a suite's static fixture is never released).
    static func temporaryFolder(_ tag: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("proteus-\(tag)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        FoldersRemovedAtExit.register(dir.path)
        return dir.path
    }

    /// A small but complete index: every section non-empty, values from a fixed-seed generator.
    static func realisticContents(vocabulary: Int = 1_000, dimension: Int = 8, gates: Int = 4,
                                  spanCount: Int = 24) -> HeroIndexContents {
        var rng = SplitMix(seed: 42)
        var c = HeroIndexContents()
        c.parameters.focus = "sandwich in Dolores Park"
        c.parameters.topP = 0.85
        c.parameters.featureDimension = dimension
        c.parameters.gateCount = gates
        c.statistics.tokens = 1_234_567
        c.statistics.chunks = 19
        c.statistics.champions = 77_824
        c.statistics.evicted = 45_000
        c.fingerprint.inputs = [
            .init(path: "/data/corpus-a.tok", size: 9_876_543_210, modificationSeconds: 1_790_000_000, contentHash: 0xDEAD_BEEF_0123_4567),
            .init(path: "-", size: 12, modificationSeconds: -5, contentHash: 1),
        ]
        c.tokenizer = TokenizerIdentity(name: "cl100k_base", sha256: (0..<32).map { UInt8($0 * 7 & 255) }, vocabularySize: 100_277)
        c.splitPattern = "cl100k"
        c.embeddedRanks = try! EmbeddedRanks.encode(RankTable(tokensByRank: (0..<256).map { [UInt8($0)] } + [Array("ab".utf8)]))
        c.documents.append(name: "essays/apple.txt", length: 600_000)
        c.documents.append(name: "", length: 0)
        c.documents.append(name: "ünïcødé name.txt", length: 634_567)
        var position: UInt64 = 10
        for i in 0..<spanCount {
            let length = UInt32(1 + rng.next() % 9)
            let document: UInt32 = position >= 600_000 ? 2 : 0
            c.spans.append(HeroSpan(start: position, firstHero: UInt32(c.tokens.count), length: length,
                                    document: document, score: Float(rng.next() % 1000) / 37))
            for _ in 0..<length {
                c.tokens.append(UInt32(rng.next() % UInt64(vocabulary)))
                c.scores.append(Float(rng.next() % 10_000) / 999)
            }
            position += 50_000 + UInt64(i)
        }
        c.statistics.heroTokens = c.tokens.count
        c.statistics.spans = c.spans.count
        c.spanFeatures = (0..<spanCount * dimension).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1000 }
        c.dna.vocabularySize = vocabulary
        c.dna.featureDimension = dimension
        // Rows for about two ids in three, as a sample that did not see every id.
        c.dna.ids = (0..<UInt32(vocabulary)).filter { _ in rng.next() % 3 != 0 }
        c.dna.unseenSurprisal = 31.5
        c.dna.surprisal = c.dna.ids.map { _ in Float(rng.next() % 3000) / 100 }
        c.dna.features = (0..<c.dna.ids.count * dimension).map { _ in Int8(truncatingIfNeeded: rng.next()) }
        c.dna.featureScales = c.dna.ids.map { _ in Float(rng.next() % 100) / 10 }
        c.dna.gates = (0..<gates * dimension).map { _ in Float(Int(rng.next() % 201) - 100) / 100 }
        c.dna.gateConfidence = (0..<gates).map { _ in Float(rng.next() % 100) / 100 }
        return c
    }

    static func read(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }
    static func write(_ bytes: [UInt8], to path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    static func u32(_ b: [UInt8], _ at: Int) -> UInt32 { b[at..<at + 4].reversed().reduce(0) { $0 << 8 | UInt32($1) } }
    static func u64(_ b: [UInt8], _ at: Int) -> UInt64 { b[at..<at + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) } }
    static func put<T: FixedWidthInteger>(_ v: T, _ b: inout [UInt8], _ at: Int) {
        withUnsafeBytes(of: v.littleEndian) { for i in 0..<$0.count { b[at + i] = $0[i] } }
    }

    /// Lets `edit` change the header or table bytes, then recomputes the header checksum so
    /// only the structural checks behind it can catch the change.
    static func editTable(_ path: String, _ edit: (inout [UInt8]) -> Void) throws {
        var b = try read(path)
        edit(&b)
        let tableEnd = 64 + Int(u32(b, 16)) * IndexFormat.tableEntrySize
        var h = XXH64()
        b.withUnsafeBytes { raw in
            h.update(UnsafeRawBufferPointer(rebasing: raw[0..<56]))
            h.update(UnsafeRawBufferPointer(rebasing: raw[64..<tableEnd]))
        }
        put(h.digest(), &b, 56)
        try write(b, to: path)
    }

    /// Byte position of table entry `kind`.
    static func entryPosition(_ b: [UInt8], _ kind: SectionKind) -> Int {
        let count = Int(u32(b, 16))
        return (0..<count).map { 64 + $0 * IndexFormat.tableEntrySize }.first { u32(b, $0) == kind.code }!
    }
}


/// The one-line description of an error thrown by `body`, or nil when it does not throw.
func failure(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch { return "\(error)" }
}

extension IndexFileFixtures {
    /// Lets `edit` change one section's bytes in place (same length), then re-seals the file:
    /// recomputes that section's checksum and the header checksum, so only the structural
    /// checks behind the checksums can notice.
    static func editSection(_ path: String, _ kind: SectionKind, _ edit: (inout [UInt8]) -> Void) throws {
        var b = try read(path)
        let e = entryPosition(b, kind)
        let offset = Int(u64(b, e + 8)), length = Int(u64(b, e + 16))
        var section = Array(b[offset..<offset + length])
        edit(&section)
        precondition(section.count == length, "editSection keeps the length")
        b.replaceSubrange(offset..<offset + length, with: section)
        put(XXH64.hash(section), &b, e + 32)
        try write(b, to: path)
        try editTable(path) { _ in }
    }
}
