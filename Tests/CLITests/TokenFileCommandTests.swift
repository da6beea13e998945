import Testing
import Foundation

/// The token-file subcommands as a user runs them: encode, convert, inspect, decode, scan.
@Suite struct TokenFileCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let tokenizer = root + "/fixtures/tokenizers/cl100k_base.tiktoken"
    static let mixed = root + "/fixtures/text/mixed.txt"

    @Test func encodedTextEqualsTiktokensIds() throws {
        let dir = try TemporaryDirectory()
        let r = try CLI.run(["encode", Self.mixed, "-o", dir.path("mixed.tok"), "--tokenizer", Self.tokenizer, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let c = try CLI.run(["convert", dir.path("mixed.tok"), "-o", dir.path("mixed.u32"), "--quiet"])
        #expect(c.status == 0, "\(c.stderr)")
        let ours = try Data(contentsOf: URL(fileURLWithPath: dir.path("mixed.u32")))
        let tiktoken = try Data(contentsOf: URL(fileURLWithPath: Self.root + "/fixtures/tiktoken/mixed.cl100k.u32"))
        #expect(ours == tiktoken)
    }

    @Test func aRankFileOfAnotherSizeNeedsItsSplitPattern() throws {
        let dir = try TemporaryDirectory()
        let ranks = dir.path("bytes.tiktoken")
        try (0..<256).map { "\(Data([UInt8($0)]).base64EncodedString()) \($0)\n" }.joined().write(toFile: ranks, atomically: false, encoding: .utf8)
        let text = dir.path("t.txt")
        try "hi there".write(toFile: text, atomically: false, encoding: .utf8)
        let bare = try CLI.run(["encode", text, "-o", dir.path("t.tok"), "--tokenizer", ranks, "--quiet"])
        #expect(bare.status == 64)
        #expect(bare.stderr == "proteus-index: \(ranks): cannot infer the split pattern of a rank file with 256 ranks; name one with --split-pattern cl100k or r50k\n")
        let named = try CLI.run(["encode", text, "-o", dir.path("t.tok"), "--tokenizer", ranks, "--split-pattern", "r50k", "--quiet"])
        #expect(named.status == 0, "\(named.stderr)")
        let d = try CLI.run(["decode", dir.path("t.tok"), "--tokenizer", ranks, "--split-pattern", "r50k"])
        #expect(d.stdout == "hi there")
        let wrong = try CLI.run(["decode", dir.path("t.tok"), "--tokenizer", ranks, "--split-pattern", "gpt5"])
        #expect(wrong.status == 64 && wrong.stderr == "proteus-index: '--split-pattern' must be cl100k or r50k, not 'gpt5'\n")
    }

    @Test func standardInputTextEncodesAndDecodesBack() throws {
        let dir = try TemporaryDirectory()
        let text = "How do you make potato soup?\nPeel, boil, blend. 12345 tokens — ok.\n"
        let e = try CLI.run(["encode", "-", "-o", dir.path("q.tok"), "--tokenizer", Self.tokenizer, "--quiet"], stdin: Data(text.utf8))
        #expect(e.status == 0, "\(e.stderr)")
        let d = try CLI.run(["decode", dir.path("q.tok"), "--tokenizer", Self.tokenizer])
        #expect(d.status == 0)
        #expect(d.stdout == text)
        let part = try CLI.run(["decode", dir.path("q.tok"), "--tokenizer", Self.tokenizer, "--range", "1:3"])
        #expect(part.stdout == " do you")
    }

    @Test func convertedTokFilesDecodeWithTheRealTools() throws {
        let dir = try TemporaryDirectory()
        let raw = Data((0..<200_000).flatMap { i -> [UInt8] in withUnsafeBytes(of: UInt32(i * 7 % 100_000).littleEndian, Array.init) })
        try raw.write(to: URL(fileURLWithPath: dir.path("t.u32")))
        for (codec, tool) in [("zstd", "zstd"), ("lz4", "lz4")] {
            let out = dir.path("t.\(codec).tok")
            let r = try CLI.run(["convert", dir.path("t.u32"), "-o", out, "--codec", codec, "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [tool, "-qdc", out]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let decoded = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            #expect(decoded == raw, "\(tool) -dc must print the raw tokens")
            let scan = try CLI.run(["scan", out, "--json"])
            #expect(scan.stdout.contains("\"tokens\":200000"))
        }
    }

    @Test func inspectDescribesATokFileAsJSON() throws {
        let dir = try TemporaryDirectory()
        _ = try CLI.run(["encode", Self.mixed, "-o", dir.path("m.tok"), "--tokenizer", Self.tokenizer, "--codec", "lz4", "--quiet"])
        let r = try CLI.run(["inspect", dir.path("m.tok"), "--json", "--verify"])
        #expect(r.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(object["format"] as? String == "tok/lz4")
        #expect(object["tokens"] as? Int == 773)
        #expect((object["tokenizer"] as? [String: Any])?["name"] as? String == "cl100k_base")
        #expect(((object["verify"] as? [String: Any])?["failures"] as? [Any])?.isEmpty == true)
    }

    // MARK: bad input: one line naming the file, the right exit status, no output left behind

    @Test func missingInputIsExit66() throws {
        let r = try CLI.run(["scan", "/nonexistent/corpus.tok"])
        #expect(r.status == 66)
        #expect(r.stderr == "proteus-index: /nonexistent/corpus.tok: cannot open: No such file or directory (errno 2)\n")
    }

    @Test func textGivenAsTokensSuggestsEncode() throws {
        let essay = Self.root + "/fixtures/essays/founders.txt"
        let r = try CLI.run(["inspect", essay])
        #expect(r.status == 65)
        #expect(r.stderr == "proteus-index: \(essay): looks like text; tokenize it with `proteus-index encode`\n")
    }

    @Test func outputEqualToInputIsRefusedAndTheInputIsUntouched() throws {
        let dir = try TemporaryDirectory()
        _ = try CLI.run(["encode", Self.mixed, "-o", dir.path("m.tok"), "--tokenizer", Self.tokenizer, "--quiet"])
        let before = try Data(contentsOf: URL(fileURLWithPath: dir.path("m.tok")))
        let r = try CLI.run(["convert", dir.path("m.tok"), "-o", dir.path("m.tok"), "--quiet"])
        #expect(r.status == 73)
        #expect(r.stderr == "proteus-index: \(dir.path("m.tok")): output path is also an input; choose another output\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("m.tok"))) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["m.tok"])
    }

    @Test func aDifferentTokenizerIsRefused() throws {
        let dir = try TemporaryDirectory()
        _ = try CLI.run(["encode", Self.mixed, "-o", dir.path("m.tok"), "--tokenizer", Self.tokenizer, "--quiet"])
        // The same ranks less the last line: another file, another SHA-256.
        let ranks = try Data(contentsOf: URL(fileURLWithPath: Self.tokenizer))
        let lines = String(decoding: ranks, as: UTF8.self).split(separator: "\n").dropLast()
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir.path("other.tiktoken"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["decode", dir.path("m.tok"), "--tokenizer", dir.path("other.tiktoken")])
        #expect(r.status == 65)
        #expect(r.stderr.hasPrefix("proteus-index: \(dir.path("m.tok")): was made with tokenizer cl100k_base (sha256 223921b76ee9…), but the given tokenizer other has sha256 "))
        #expect(r.stderr.hasSuffix("…; pass the tokenizer the file was made with\n"))
    }

    @Test func malformedTokenizerLineIsNamed() throws {
        let dir = try TemporaryDirectory()
        try "IQ== 0\nnot-base64! 1\n".write(toFile: dir.path("bad.tiktoken"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["encode", Self.mixed, "-o", dir.path("x.tok"), "--tokenizer", dir.path("bad.tiktoken")])
        #expect(r.status == 65)
        #expect(r.stderr.hasPrefix("proteus-index: \(dir.path("bad.tiktoken")): line 2: "))
        #expect(!FileManager.default.fileExists(atPath: dir.path("x.tok")))
    }

    @Test func encodeWithoutATokenizerSaysHowToGiveOne() throws {
        let dir = try TemporaryDirectory()
        let r = try CLI.run(["encode", Self.mixed, "-o", dir.path("x.tok")])
        #expect(r.status == 64)
        #expect(r.stderr == "proteus-index: encode needs a tokenizer: pass --tokenizer FILE.tiktoken (e.g. cl100k_base.tiktoken) or set PROTEUS_TOKENIZER\n")
    }

    @Test func rangePastTheEndIsAUsageError() throws {
        let dir = try TemporaryDirectory()
        _ = try CLI.run(["encode", Self.mixed, "-o", dir.path("m.tok"), "--tokenizer", Self.tokenizer, "--quiet"])
        let r = try CLI.run(["decode", dir.path("m.tok"), "--tokenizer", Self.tokenizer, "--range", "0:5000"])
        #expect(r.status == 64)
        #expect(r.stderr == "proteus-index: '--range' 0:5000 ends past the last token (the file holds 773 tokens)\n")
    }
}
