import Testing
import Foundation
@testable import ProteusIndex

@Suite struct EmbeddedRanksTests {
    /// Both forms encode as the whole table: the mapped one in a fifth of the hashed
    /// layout's size, the compressed one (indexes built before it) in an eighth.
    @Test(arguments: [false, true])
    func theEmbeddedTableEncodesLikeTheFullOne(compressed: Bool) throws {
        let full = TokenizerFixtures.cl100k
        let blob = compressed ? try EmbeddedRanks.encodeCompressed(full.ranks) : EmbeddedRanks.encode(full.ranks)
        #expect(blob.count < (compressed ? 450_000 : 1_100_000))
        #expect(blob.count * (compressed ? 8 : 4) < full.ranks.serialized().count)
        let ranks = try blob.withUnsafeBytes { try EmbeddedRanks.decode($0) { ProteusError(.dataError, $0) } }
        #expect(ranks.count == full.ranks.count && ranks.tokenCount == full.ranks.tokenCount)
        let embedded = Tokenizer(ranks: ranks, pattern: .cl100k, identity: full.identity)
        let text = TokenizerFixtures.essays + TokenizerFixtures.mixed
        var a: [UInt32] = [], b: [UInt32] = []
        try text.withUnsafeBytes { try full.encodeOrdinary($0, into: &a) }
        try text.withUnsafeBytes { try embedded.encodeOrdinary($0, into: &b) }
        #expect(a == b)
        #expect(a.count > 100_000)
    }

    /// A mapped table whose memory has an owner (the mapped index) is used where it lies:
    /// its ranks' bytes are the section's own.
    @Test func aMappedTableWithAnOwnerIsUsedInPlace() throws {
        let full = TokenizerFixtures.cl100k
        let section = OwnedBlob(byteCount: EmbeddedRanks.encode(full.ranks).count)
        EmbeddedRanks.encode(full.ranks).withUnsafeBytes { section.memory.copyMemory(from: $0) }
        let focus = EmbeddedRanks.Focus(texts: [" where lighthouses stand"], pattern: { _ in .cl100k })
        let ranks = try EmbeddedRanks.decode(section.bytes, owner: section, focus: focus) { ProteusError(.dataError, $0) }
        let id = full.encodeOrdinary(" where")[0]
        let start = section.bytes.baseAddress!, end = start + section.bytes.count
        let bytes = try #require(ranks.bytes(ofRank: id))
        #expect(bytes.baseAddress! >= start && bytes.baseAddress! + bytes.count <= end)
        #expect(Tokenizer(ranks: ranks, pattern: .cl100k, identity: full.identity).encodeOrdinary(" where lighthouses stand")
                == full.encodeOrdinary(" where lighthouses stand"))
    }

    /// `compressed`: the form of indexes built before the mapped one.
    @Test(arguments: [SplitPattern.cl100k, .r50k], [false, true])
    func aTableFocusedOnAQuestionEncodesItAndItsSpellingsLikeTheWholeOne(pattern: SplitPattern, compressed: Bool) throws {
        let full = TokenizerFixtures.cl100k
        let whole = Tokenizer(ranks: full.ranks, pattern: pattern, identity: full.identity)
        let blob = compressed ? try EmbeddedRanks.encodeCompressed(full.ranks) : EmbeddedRanks.encode(full.ranks)
        func focused(on texts: [String]) throws -> Tokenizer {
            let focus = EmbeddedRanks.Focus(texts: texts, pattern: { _ in pattern })
            let ranks = try blob.withUnsafeBytes { try EmbeddedRanks.decode($0, focus: focus) { ProteusError(.dataError, $0) } }
            #expect(ranks.firstByteWithoutToken() == nil)  // as a query checks it
            return Tokenizer(ranks: ranks, pattern: pattern, identity: full.identity)
        }
        let lines = (String(decoding: TokenizerFixtures.mixed, as: UTF8.self) + String(decoding: TokenizerFixtures.unicode, as: UTF8.self)
            + String(decoding: TokenizerFixtures.essays.prefix(20_000), as: UTF8.self))
            .split(separator: "\n").map { QueryEngine.encodedText(String($0)) }
        let questions = Array(lines.prefix(30)) + ["sable-lagoon-prime", " 0x7f3a9c2e 550e8400-e29b-41d4-a716-446655440000",
                                                   " WINDOWS windows Windows", " naïveté  \t\n\n  spaces   ", " x"]
        let wholeShapes = TokenShapes(tokenizer: whole, vocabularySize: Int(full.identity.vocabularySize))
        let several = Array(lines.filter { $0.utf8.count <= 100 }.prefix(80))
        for (texts, each) in questions.map({ ([$0], [$0]) }) + [(several, Array(several.suffix(40)))] {
            let tokenizer = try focused(on: texts)
            let shapes = TokenShapes(tokenizer: tokenizer, vocabularySize: Int(full.identity.vocabularySize))
            for text in each {
                let ids = tokenizer.encodeOrdinary(text)
                #expect(ids == whole.encodeOrdinary(text), "\(text)")
                for id in ids { #expect(shapes.spellings(of: id) == wholeShapes.spellings(of: id), "\(text): \(id)") }
                // Its words as lines open them (capitalized, no space) are encoded as the whole
                // table encodes them, and without it.
                for i in ids.indices where shapes.startsWord(ids[i]) {
                    var j = i + 1
                    while j < ids.count && !shapes.startsWord(ids[j]) && shapes.isContent(ids[j]) { j += 1 }
                    #expect(shapes.lineStartForms(ofWord: ids[i..<j]).map(\.ids) == wholeShapes.lineStartForms(ofWord: ids[i..<j]).map(\.ids),
                            "\(text): \(ids[i..<j])")
                }
            }
            // Its own texts never needed the whole table, and the hash table is a small part.
            #expect(tokenizer.ranks.coverage?.builtWhole == false)
            #expect(texts.count > 1 || tokenizer.ranks.tokenCount < 2_000)
        }
        // Anything else is answered by the whole table, built then.
        let tokenizer = try focused(on: [" sable-lagoon-prime"])
        let other = String(decoding: TokenizerFixtures.essays.prefix(5_000), as: UTF8.self)
        #expect(tokenizer.encodeOrdinary(other) == whole.encodeOrdinary(other))
        #expect(tokenizer.ranks.coverage?.builtWhole == true)
        let away = try focused(on: [" sable"])
        #expect(Array(" elephant".utf8).withUnsafeBytes { away.ranks.rank(of: $0) } == Array(" elephant".utf8).withUnsafeBytes { full.ranks.rank(of: $0) })
        #expect(away.ranks.coverage?.builtWhole == true)
        // A question of one endless word is not worth a focused table.
        let long = " " + String(repeating: "lagoon", count: 2_000)
        let plain = try focused(on: [long])
        #expect(plain.ranks.coverage == nil && plain.encodeOrdinary(long) == whole.encodeOrdinary(long))
    }

    /// A focused table keeps its parts apart (the bytes where they were decompressed); its
    /// serialized form is still one blob, which loads and encodes its texts the same.
    @Test func aFocusedTableSerializesAsOneBlob() throws {
        let full = TokenizerFixtures.cl100k
        let blob = try EmbeddedRanks.encodeCompressed(full.ranks)
        let text = QueryEngine.encodedText("Which KASAN reports name kvm_max_vcpu_ids?")
        let ranks = try blob.withUnsafeBytes {
            try EmbeddedRanks.decode($0, focus: .init(texts: [text], pattern: { _ in .cl100k })) { ProteusError(.dataError, $0) }
        }
        #expect(ranks.coverage != nil && ranks.tokenCount < 2_000)
        let serialized = ranks.serialized()
        let loaded = try serialized.withUnsafeBytes { try RankTable(serialized: $0, owner: nil) }
        #expect(loaded.count == ranks.count && loaded.tokenCount == ranks.tokenCount)
        let ids = Tokenizer(ranks: loaded, pattern: .cl100k, identity: full.identity).encodeOrdinary(text)
        #expect(ids == full.encodeOrdinary(text))
        for id in ids { #expect(loaded.bytes(ofRank: id).map(Array.init) == full.ranks.bytes(ofRank: id).map(Array.init)) }
    }

    /// A query tokenizes its words' other forms (`caseForms`, `inflectedForms`, `inflections`):
    /// focused on `QueryEngine.focusTexts`, they come out as the whole table gives them, and
    /// the whole table is never built (it was, for every question, before the form texts).
    @Test func aTableFocusedAsAQueryFocusesItGivesEveryWordsFormsWithoutTheWholeTable() throws {
        let full = TokenizerFixtures.cl100k
        let blob = EmbeddedRanks.encode(full.ranks)
        let vocabulary = Int(full.identity.vocabularySize)
        let wholeShapes = TokenShapes(tokenizer: full, vocabularySize: vocabulary)
        let questions = ["how are interrupts handled", "what is numa balancing", "Which KASAN reports name kvm_max_vcpu_ids?",
                         "the Televisions of old cathedrals stopped running", "KiCad eBPF SIGTERM queries", "where is ret_errval removed for string_arch_unaligned"]
            + String(decoding: TokenizerFixtures.essays.prefix(3_000), as: UTF8.self).split(separator: "\n").prefix(12).map(String.init)
        var forms = 0
        for question in questions {
            let ranks = try blob.withUnsafeBytes {
                try EmbeddedRanks.decode($0, focus: .init(texts: QueryEngine.focusTexts(of: [question]), pattern: { _ in .cl100k })) { ProteusError(.dataError, $0) }
            }
            let tokenizer = Tokenizer(ranks: ranks, pattern: .cl100k, identity: full.identity)
            let shapes = TokenShapes(tokenizer: tokenizer, vocabularySize: vocabulary)
            let ids = tokenizer.encodeOrdinary(QueryEngine.encodedText(question))
            #expect(ids == full.encodeOrdinary(QueryEngine.encodedText(question)))
            for i in ids.indices where shapes.startsWord(ids[i]) {
                var j = i + 1
                while j < ids.count && !shapes.startsWord(ids[j]) && shapes.isContent(ids[j]) { j += 1 }
                let word = ids[i..<j]
                #expect(shapes.caseForms(ofWord: word).map(\.ids) == wholeShapes.caseForms(ofWord: word).map(\.ids), "\(question): \(word)")
                #expect(shapes.inflectedForms(ofWord: word) == wholeShapes.inflectedForms(ofWord: word), "\(question): \(word)")
                forms += shapes.caseForms(ofWord: word).count + shapes.inflectedForms(ofWord: word).count
                // (A word of one token has its inflections looked up, `QuestionTerms.inflectedForms`.)
                guard word.count == 1 else { continue }
                #expect(shapes.inflections(of: word.first!) == wholeShapes.inflections(of: word.first!), "\(question): \(word)")
                forms += shapes.inflections(of: word.first!).count
            }
            #expect(tokenizer.ranks.coverage?.builtWhole == false, "\(question)")
        }
        #expect(forms > 40)
    }

    /// A table of gaps only (every length 0) focused on a question decodes, for the query to
    /// refuse it by its missing single bytes; hashing its keys trapped on the empty range.
    @Test(arguments: [false, true])
    func aTableOfGapsFocusedOnAQuestionDecodesForTheQueryToRefuse(compressed: Bool) throws {
        let table = try RankTable(tokensByRank: [[], [], []])
        let gaps = compressed ? try EmbeddedRanks.encodeCompressed(table) : EmbeddedRanks.encode(table)
        let ranks = try gaps.withUnsafeBytes {
            try EmbeddedRanks.decode($0, focus: .init(texts: QueryEngine.focusTexts(of: ["kicad fonts"]), pattern: { _ in .cl100k })) { ProteusError(.dataError, $0) }
        }
        #expect(ranks.tokenCount == 0 && ranks.firstByteWithoutToken() == 0)
    }

    @Test func aDamagedTableIsRefusedWithWhatIsWrong() throws {
        let tiny = try RankTable(tokensByRank: (0..<256).map { [UInt8($0)] } + [Array("ab".utf8)])
        func error(_ bytes: [UInt8]) -> String? {
            failure { _ = try bytes.withUnsafeBytes { try EmbeddedRanks.decode($0) { ProteusError(.dataError, path: "i.phb", $0) } } }
        }
        // The compressed form.
        let good = try EmbeddedRanks.encodeCompressed(tiny)
        #expect(error(Array(good.prefix(5))) == "i.phb: not a compressed rank table of at most 67108864 bytes")
        var damaged = good
        damaged[damaged.count - 6] ^= 0xFF
        #expect(error(damaged)?.hasPrefix("i.phb: zstd: ") == true)
        // A table whose lengths do not add up to its bytes.
        let plain = Array("PRNK".utf8) + [2, 0, 0, 0, 1, 5] + Array("ab".utf8)
        let compressor = ZstdFrameCompressor(level: 1)
        var frame = [UInt8](repeating: 0, count: compressor.bound(plain.count))
        let n = try plain.withUnsafeBytes { p in try frame.withUnsafeMutableBytes { try compressor.compress(p, into: $0) } }
        #expect(error(Array(frame[0..<n])) == "i.phb: rank table lengths add up to 6 bytes, but 2 follow them")
        // The mapped form: its head, offsets that do not fit, go back or end elsewhere.
        let mapped = EmbeddedRanks.encode(tiny)
        #expect(try mapped.withUnsafeBytes { try EmbeddedRanks.decode($0) { ProteusError(.dataError, $0) } }.tokenCount == 257)
        #expect(error(Array(mapped.prefix(10))) == "i.phb: mapped rank table of 10 bytes is too small for its head")
        #expect(error(Array(mapped.prefix(1_000))) == "i.phb: mapped rank table of 257 ranks needs 1040 bytes of offsets, but the section holds 1000")
        func offset(_ rank: Int, _ value: UInt32) -> [UInt8] {
            var m = mapped
            m.replaceSubrange((8 + 4 * rank)..<(12 + 4 * rank), with: littleEndianBytes(value))
            return m
        }
        #expect(error(offset(0, 1)) == "i.phb: mapped rank table offsets start at 1, not 0")
        #expect(error(offset(100, 7)) == "i.phb: mapped rank table offset of rank 100 goes back (99 to 7)")
        #expect(error(offset(257, 300)) == "i.phb: mapped rank table offsets end at 300, but 258 bytes follow them")
    }
}
