import Testing
import Foundation
@testable import ProteusIndex

@Suite struct TokenizerEncodingTests {
    static func encode(_ tokenizer: Tokenizer, _ bytes: [UInt8]) throws -> [UInt32] {
        var tokens: [UInt32] = []
        try bytes.withUnsafeBytes { try tokenizer.encodeOrdinary($0, into: &tokens) }
        return tokens
    }

    /// nil when equal, else a short description (so a failure does not print 100K ids).
    static func difference(_ a: [UInt32], _ b: [UInt32]) -> String? {
        if a == b { return nil }
        let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        return "counts \(a.count) vs \(b.count), first difference at \(i): \(a[i..<min(i + 5, a.count)]) vs \(b[i..<min(i + 5, b.count)])"
    }

    @Test(arguments: ["essays", "mixed", "unicode"])
    func cl100kMatchesTiktoken(_ name: String) throws {
        let expected = TokenizerFixtures.u32("\(name).cl100k.u32")
        #expect(expected.count == TokenizerFixtures.recorded(name, "cl100k_tokens"))
        let tokens = try Self.encode(TokenizerFixtures.cl100k, TokenizerFixtures.text(name))
        #expect(Self.difference(tokens, expected) == nil)
    }

    @Test(arguments: ["essays", "mixed", "unicode"])
    func r50kSplitMatchesTiktoken(_ name: String) throws {
        let expected = TokenizerFixtures.u32("\(name).r50ksplit.u32")
        #expect(expected.count == TokenizerFixtures.recorded(name, "r50ksplit_tokens"))
        let tokens = try Self.encode(TokenizerFixtures.r50kSplit, TokenizerFixtures.text(name))
        #expect(Self.difference(tokens, expected) == nil)
    }

    @Test(arguments: ["essays", "mixed"], [SplitPattern.cl100k, .r50k])
    func piecesMatchPythonRegex(_ name: String, _ pattern: SplitPattern) {
        let text = TokenizerFixtures.text(name)
        let tokenizer = pattern == .cl100k ? TokenizerFixtures.cl100k : TokenizerFixtures.r50kSplit
        let ends = text.withUnsafeBytes { tokenizer.pieceEnds($0) }
        var lengths: [Int] = []
        var previous = 0
        for end in ends { lengths.append(end - previous); previous = end }
        let expected = TokenizerFixtures.u16("\(name).\(pattern.rawValue).pieces.u16")
        #expect(lengths == expected)
        #expect(lengths.count == TokenizerFixtures.recorded(name, "\(pattern.rawValue)_pieces"))
        if name == "essays" && pattern == .cl100k { #expect(lengths.count == 142_416) }
    }

    @Test func stringConvenienceAgreesWithBytes() throws {
        let text = String(decoding: TokenizerFixtures.mixed, as: UTF8.self)
        #expect(TokenizerFixtures.cl100k.encodeOrdinary(text) == TokenizerFixtures.u32("mixed.cl100k.u32"))
    }

    @Test func specialTokenTextIsOrdinaryText() throws {
        let tokens = TokenizerFixtures.cl100k.encodeOrdinary("<|endoftext|>")
        #expect(!tokens.contains(100257))
        let back = try tokens.withUnsafeBufferPointer { try TokenizerFixtures.cl100k.decode($0) }
        #expect(back == Array("<|endoftext|>".utf8))
    }

    @Test func emptyTextHasNoTokens() {
        #expect(TokenizerFixtures.cl100k.encodeOrdinary("") == [])
    }

    @Test func invalidUTF8IsRefusedWithItsOffset() throws {
        let cases: [([UInt8], Int)] = [
            (Array("abc".utf8) + [0xFF] + Array("def".utf8), 3),
            (Array("héllo wörld, ".utf8) + [0xC3], 15),          // truncated at the end
            (Array("ab".utf8) + [0xE0, 0x80, 0x80], 2),           // overlong
            (Array("abcdefghij".utf8) + [0xED, 0xA0, 0x80], 10),  // surrogate
            ([0xF4, 0x90, 0x80, 0x80], 0),                        // above U+10FFFF
        ]
        for (bytes, offset) in cases {
            #expect {
                _ = try Self.encode(TokenizerFixtures.cl100k, bytes)
            } throws: { error in
                let e = error as! ProteusError
                return e.kind == .dataError && e.description == "at byte \(offset): invalid UTF-8"
            }
        }
    }

    @Test func decodeRoundTripsTheEssays() throws {
        let tokens = TokenizerFixtures.u32("essays.cl100k.u32")
        let bytes = try tokens.withUnsafeBufferPointer { try TokenizerFixtures.cl100k.decode($0) }
        #expect(bytes == TokenizerFixtures.essays)
    }

    @Test func decodeGivesSpecialTokenText() throws {
        let specials = TokenizerFixtures.manifest["specials"] as! [String: String]
        #expect(specials.count == 5)
        for (id, text) in specials {
            let bytes = try [UInt32(id)!].withUnsafeBufferPointer { try TokenizerFixtures.cl100k.decode($0) }
            #expect(bytes == Array(text.utf8))
        }
    }

    @Test func decodeRefusesUnknownIds() {
        for id: UInt32 in [100256, 100261, 100277, .max] {
            #expect {
                _ = try [15339, id].withUnsafeBufferPointer { try TokenizerFixtures.cl100k.decode($0) }
            } throws: { error in
                (error as! ProteusError).description == "token \(id) at position 1 is not in the vocabulary of cl100k_base"
            }
        }
    }

    @Test func identityNamesTheRankFile() {
        let identity = TokenizerFixtures.cl100k.identity
        #expect(identity.name == "cl100k_base")
        #expect(identity.sha256Hex == "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7")
        #expect(identity.vocabularySize == 100_277)
        #expect(TokenizerFixtures.cl100k.pattern == .cl100k)
    }

    @Test func parallelEqualsSerialForAnyThreadsAndChunks() throws {
        let text = TokenizerFixtures.essays + TokenizerFixtures.mixed + TokenizerFixtures.essays[0..<5000]
        let serial = try Self.encode(TokenizerFixtures.cl100k, text)
        let serialR50k = try Self.encode(TokenizerFixtures.r50kSplit, text)
        for (threads, chunk) in [(1, 4096), (2, 4096), (3, 50_000), (8, 1000), (0, 1 << 20)] {
            let tokens = try text.withUnsafeBytes { try TokenizerFixtures.cl100k.encodeOrdinaryParallel($0, threads: threads, chunkSize: chunk) }
            #expect(Self.difference(tokens, serial) == nil, "threads \(threads) chunk \(chunk)")
            let r50k = try text.withUnsafeBytes { try TokenizerFixtures.r50kSplit.encodeOrdinaryParallel($0, threads: threads, chunkSize: chunk) }
            #expect(Self.difference(r50k, serialR50k) == nil, "r50k threads \(threads) chunk \(chunk)")
        }
        let starts = text.withUnsafeBytes { Tokenizer.chunkStarts($0, chunkSize: 4096) }
        #expect(starts.count > 100)
    }

    /// The safe-boundary argument, checked directly: every chunk start is a piece boundary of
    /// the serial scan, for both patterns, including texts built to stress `\s++$`.
    @Test func chunkStartsArePieceBoundaries() {
        let tricky = Array("x.\nAb\n\nc!\nd'\ns 1\nz \u{a0}\nq\t\nr\r\nw\n\n\nE.\nF".utf8)
        for text in [TokenizerFixtures.essays + TokenizerFixtures.mixed, tricky] {
            let starts = text.withUnsafeBytes { Tokenizer.chunkStarts($0, chunkSize: 1) }
            #expect(starts.count > 3)
            for tokenizer in [TokenizerFixtures.cl100k, TokenizerFixtures.r50kSplit] {
                let serial = text.withUnsafeBytes { tokenizer.pieceEnds($0) }
                let ends = Set(serial)
                let bad = starts.dropFirst().filter { !ends.contains($0) }
                #expect(bad.isEmpty, "\(tokenizer.pattern): chunk starts inside a piece at \(bad.prefix(5))")
                // Each chunk scanned alone (its end taken as the end of text) cuts the same pieces.
                var chunked: [Int] = []
                for (i, start) in starts.enumerated() {
                    let end = i + 1 < starts.count ? starts[i + 1] : text.count
                    chunked += text[start..<end].withUnsafeBytes { tokenizer.pieceEnds($0) }.map { $0 + start }
                }
                let first = (0..<min(chunked.count, serial.count)).first { chunked[$0] != serial[$0] }
                #expect(chunked.count == serial.count && first == nil,
                        "\(tokenizer.pattern): chunked scan differs from piece \(first ?? min(chunked.count, serial.count))")
            }
        }
        #expect(tricky.withUnsafeBytes { Tokenizer.chunkStarts($0, chunkSize: 1) } == [0, 3, 10, 13, 17, 35])
    }

    @Test func parallelReportsTheFirstInvalidByte() {
        var text = TokenizerFixtures.essays
        text[300_000] = 0xFF
        text[500_000] = 0xFE
        #expect {
            _ = try text.withUnsafeBytes { try TokenizerFixtures.cl100k.encodeOrdinaryParallel($0, threads: 2, chunkSize: 10_000) }
        } throws: { error in
            (error as! ProteusError).description == "at byte 300000: invalid UTF-8"
        }
    }

    /// A file is encoded in blocks: the offset in the message counts from the file's start,
    /// not the block's, and no output appears.
    @Test func encodingAFileReportsTheInvalidByteOfTheWholeFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("proteus-utf8-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var text = Array(TokenizerFixtures.essays[0..<200_000])
        text[150_000] = 0xFF
        let input = dir + "/essays.txt", output = dir + "/essays.tok"
        try Data(text).write(to: URL(fileURLWithPath: input))
        var options = TextCorpusEncoder.Options()
        options.blockBytes = 16_384
        options.threads = 2
        #expect {
            _ = try TextCorpusEncoder(tokenizer: TokenizerFixtures.cl100k, options: options).encode(inputs: [input], output: output)
        } throws: { error in
            (error as! ProteusError).description == "\(input): at byte 150000: invalid UTF-8"
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}

@Suite struct TokenizerLongPieceTests {
    /// Runs every piece of at least `threshold` bytes through the heap-based merge.
    static func encode(_ bytes: [UInt8], threshold: Int, tokenizer: Tokenizer = TokenizerFixtures.cl100k) throws -> [UInt32] {
        let encoder = tokenizer.makeEncoder()
        encoder.longPieceThreshold = threshold
        var tokens: [UInt32] = []
        try bytes.withUnsafeBytes { try tokenizer.encodeChunk($0, offset: 0, encoder: encoder, into: &tokens) }
        return tokens
    }

    @Test func heapMergeMatchesTiktokenOnEveryPiece() throws {
        #expect(try Self.encode(TokenizerFixtures.mixed, threshold: 2) == TokenizerFixtures.u32("mixed.cl100k.u32"))
        #expect(TokenizerEncodingTests.difference(try Self.encode(TokenizerFixtures.essays, threshold: 2), TokenizerFixtures.u32("essays.cl100k.u32")) == nil)
        #expect(try Self.encode(TokenizerFixtures.mixed, threshold: 2, tokenizer: TokenizerFixtures.r50kSplit)
                == TokenizerFixtures.u32("mixed.r50ksplit.u32"))
    }

    @Test func heapMergeMatchesQuadraticMergeOnLongPieces() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabets: [[UInt8]] = [Array("=".utf8), Array(" ".utf8), Array("ab".utf8), Array("-=_*#".utf8),
                                    Array("aaaaaaaab".utf8), Array("ééé€".utf8)]
        for alphabet in alphabets {
            for length in [130, 257, 1000] {
                let scalars = String(decoding: alphabet, as: UTF8.self).unicodeScalars.map { $0 }
                var text = ""
                while text.utf8.count < length { text.unicodeScalars.append(scalars.randomElement(using: &generator)!) }
                let bytes = Array(text.utf8)
                let quadratic = try Self.encode(bytes, threshold: 1 << 30)
                #expect(try Self.encode(bytes, threshold: 2) == quadratic, "\(text)")
                #expect(try Self.encode(bytes, threshold: 2, tokenizer: TokenizerFixtures.r50kSplit)
                        == Self.encode(bytes, threshold: 1 << 30, tokenizer: TokenizerFixtures.r50kSplit), "\(text)")
            }
        }
    }

    @Test func longRunsRoundTrip() throws {
        let bytes = [UInt8](repeating: 0x3D, count: 1 << 16) + Array(" ".utf8) + [UInt8](repeating: 0x20, count: 1 << 16) + Array("x".utf8)
        let tokens = try Self.encode(bytes, threshold: 128)
        let back = try tokens.withUnsafeBufferPointer { try TokenizerFixtures.cl100k.decode($0) }
        #expect(back == bytes)
    }
}

@Suite struct TokenizerCharacterClassTests {
    /// The scanner skips property lookups above plane 3; that is only right while those
    /// planes hold nothing but "other" characters in the Unicode version we follow.
    @Test func planesFourToSixteenAreOther() {
        var wrong: [UInt32] = []
        for v in stride(from: UInt32(0x4_0000), to: 0x11_0000, by: 7) {
            if let scalar = Unicode.Scalar(v), CharacterClass.classify(scalar) != 0 { wrong.append(v) }
        }
        #expect(wrong.isEmpty)
        for v: UInt32 in [0xE0001, 0xE0020, 0xE0100, 0xF0000, 0x10FFFD] {
            #expect(CharacterClass.classify(Unicode.Scalar(v)!) == 0)
        }
    }

    @Test func tablesAgreeWithProperties() {
        for v in stride(from: UInt32(0), to: CharacterClass.highTableLimit, by: 13) {
            guard let scalar = Unicode.Scalar(v) else { continue }
            let stored = v < CharacterClass.tableLimit ? CharacterClass.table[Int(v)] : CharacterClass.classifyAboveTable(v)
            #expect(stored == CharacterClass.classify(scalar), "U+\(String(v, radix: 16))")
        }
        #expect(CharacterClass.classify("a") == CharacterClass.letter)
        #expect(CharacterClass.classify("\u{2F800}") == CharacterClass.letter)   // CJK compatibility, plane 2
        #expect(CharacterClass.classify("\u{0663}") == CharacterClass.number)    // Arabic-Indic three
        #expect(CharacterClass.classify("\u{3000}") == CharacterClass.space)
        #expect(CharacterClass.classify("\r") == CharacterClass.space | CharacterClass.newline)
        #expect(CharacterClass.classify("\u{1C}") == 0)                          // not White_Space
        #expect(CharacterClass.classify("\u{323B0}") == 0)                       // CJK Ext J: Unicode 17
    }
}
