import Testing
import Foundation
@testable import ProteusIndex

/// A question's word that names a document ("grep" of grep's manual) counts, at half its
/// weight, for every passage of that document: the line of grep's manual that answers "grep
/// count matching lines" need not say "grep" to beat another manual's line that does.
@Suite struct DocumentNameTests {
    static let tokenizer = TokenizerFixtures.cl100k

    /// Three documents of the essays' text, each with one line of its own, named `names`;
    /// their index, and answers to `question` routed and read in full.
    static func answers(_ question: String, names: [String], tag: String) throws -> (routed: TeleportResult, rescan: TeleportResult) {
        let essays = String(decoding: TokenizerFixtures.essays, as: UTF8.self).split(separator: "\n").map(String.init)
        let third = essays.count / 3
        let lines = [
            "‘-c’ ‘--count’: suppress normal output; instead print a count of matching lines for each input file.",
            "The ‘s’ command replaces the first match of the pattern on each line, where grep would only find it.",
            "Set GREP_COLORS to choose the colors of matching lines, file names and line numbers.",
        ]
        var tokens: [UInt32] = []
        var documents = DocumentTable()
        for (k, name) in names.enumerated() {
            let text = essays[(k * third)..<((k + 1) * third)].joined(separator: "\n") + "\n" + lines[k] + "\n"
            let ids = tokenizer.encodeOrdinary(text)
            tokens += ids
            documents.append(name: name, length: UInt64(ids.count))
        }
        let source = try MemoryTokenSource(tokens: tokens, documents: documents, tokenizer: tokenizer.identity)
        var p = BuildParameters()
        p.bufferTokens = 1_024
        p.routeWindow = 2_048
        let pipeline = try BuildPipeline(parameters: p)
        pipeline.pairFlags = tokenizer.joinFlags()
        var contents = try pipeline.run(source: source)
        contents.tokenizer = tokenizer.identity
        contents.splitPattern = tokenizer.pattern.rawValue
        contents.embeddedRanks = EmbeddedRanks.encode(tokenizer.ranks)
        let folder = try IndexFileFixtures.temporaryFolder("names-\(tag)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try HeroIndexWriter.write(contents, to: folder + "/n.phb", inputs: [])
        let engine = try QueryEngine(path: folder + "/n.phb")
        let teleporter = try Teleporter(engine: engine, corpus: source)
        let ids = try engine.tokenize(question)
        return (try teleporter.answer(tokens: ids, top: 5, maxWindows: 64, floor: 0),
                try teleporter.answer(tokens: ids, top: 5, maxWindows: 64, exhaustive: true))
    }

    static func text(_ p: Passage) -> String {
        String(decoding: (try? p.tokens.withUnsafeBufferPointer { try tokenizer.decode($0) }) ?? [], as: UTF8.self)
    }

    @Test func aWordNamingTheDocumentCountsForItsLines() throws {
        let question = "grep count matching lines"
        let named = try Self.answers(question, names: ["info/grep.info.txt", "info/sed.info.txt", "notes/colours.txt"], tag: "named")
        let first = try #require(named.routed.passages.first)
        #expect(Self.text(first).contains("print a count of matching lines"), "\(named.routed.passages.map(Self.text))")
        // The named document's windows are bounded with the name's word, so routing (exact
        // answers: floor 0) stops only once none can beat the answers: those of every window.
        #expect(named.routed.windowsRead < named.rescan.windowsRead, "\(named.routed.windowsRead)")
        #expect(named.routed.passages.map(\.start) == named.rescan.passages.map(\.start))
        #expect(named.routed.passages.map(\.score) == named.rescan.passages.map(\.score))
        // The name counts at half the word's weight, and not as text the answer holds.
        #expect(first.coverage < 0.95)
        // Named otherwise, the line that says "grep" wins.
        let plain = try Self.answers(question, names: ["a.txt", "b.txt", "c.txt"], tag: "plain")
        #expect(Self.text(try #require(plain.routed.passages.first)).contains("GREP_COLORS"), "\(plain.routed.passages.map(Self.text))")
        #expect(first.score > plain.routed.passages.first!.score * 0.9)
    }

    @Test func aNamesWordsAreItsFileStemsRunsOfLettersAndDigits() {
        func words(_ name: String) -> [String] {
            var found: [String] = []
            Array(name.utf8).withUnsafeBytes { DocumentNames.forEachWord(ofName: $0) { found.append(String(decoding: $0, as: UTF8.self)) } }
            return found
        }
        #expect(words("/usr/share/info/grep.info.txt") == ["grep"])
        #expect(words("Documentation/networking/ip-sysctl.rst") == ["sysctl"])  // "ip" is too short
        #expect(words("src/ZSTD_inBuffer2.h") == ["zstd", "inbuffer2"])
        #expect(words("README") == ["readme"] && words("dir.d/") == [] && words(".hidden") == [])
    }

    @Test func aWordNamingEveryDocumentCreditsNone() throws {
        // One file, or every file named alike, tells no document apart.
        let question = "grep count matching lines"
        let every = try Self.answers(question, names: ["x/count.txt", "y/count.txt", "z/count-2.txt"], tag: "every")
        let plain = try Self.answers(question, names: ["a.txt", "b.txt", "c.txt"], tag: "every-plain")
        #expect(every.routed.passages.map(\.score) == plain.routed.passages.map(\.score))
        let some = try Self.answers(question, names: ["x/count.txt", "y/count.txt", "c.txt"], tag: "some")
        #expect(some.routed.passages.map(\.score) != plain.routed.passages.map(\.score))
    }
}
