import Testing
import Foundation

/// The small refusals a new user meets, each with its message: files that are not token
/// files say what they are, text is checked before an extension is trusted, `--emit` is
/// checked before answering, and a bare `proteus-index` is a usage error.
@Suite struct EverydayMessageTests {
    static let root = TokenFileCommandTests.root

    @Test func buildSaysWhatAFileIsInsteadOfAskingForTheFormat() throws {
        let dir = try TemporaryDirectory()
        try PathSafetyTests.corpus(dir.path("c.u32"), seed: 5)
        #expect(try CLI.run(["build", dir.path("c.u32"), "-o", dir.path("c.phb"), "--quiet"]).status == 0)
        try "some text\n".write(toFile: dir.path("notes.txt"), atomically: false, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-k", dir.path("notes.txt")]
        try gzip.run(); gzip.waitUntilExit()
        try FileManager.default.copyItem(atPath: Self.root + "/tools/eval/heatmap.png", toPath: dir.path("figure.png"))
        let cases = [
            ("notes.txt.gz", "is a gzip stream, not a token file; decompress it first (gzip -dk)"),
            ("figure.png", "is a PNG image, not a token file"),
            ("c.phb", "is a proteus-index index (.phb), not a token file; ask it with `proteus-index query`"),
        ]
        for (name, message) in cases {
            let r = try CLI.run(["build", dir.path(name), "-o", dir.path("out.phb"), "--quiet"])
            #expect(r.status == 65, "\(name)")
            #expect(r.stderr == "proteus-index: \(dir.path(name)): \(message)\n")
        }
    }

    @Test func aQuestionStartingWithADashIsRefusedWithTheWayToAskIt() throws {
        // Read as short flags, it held an "h": the help, exit 0, the question unasked.
        let index = QueryContractTests.index
        let question = "-2 or +2 is returned if there was"
        let r = try CLI.run(["query", index, question])
        #expect(r.status == 64 && r.stdout.isEmpty)
        #expect(r.stderr == "proteus-index: '\(question)' starts with '-' but is not an option: a question that starts with '-' goes after '--' (query INDEX -- \"\(question)\"), a value as --option=VALUE\n")
        let asked = try CLI.run(["query", index, "--json", "--", question])
        #expect(asked.status == 0 && asked.stdout.contains("\"question\":\"-2 or +2 is returned if there was\""), "\(asked.stderr)")
    }

    @Test func textRenamedBinIsRefusedAsText() throws {
        let dir = try TemporaryDirectory()
        try "It was the best of times.\n".write(toFile: dir.path("train.bin"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["build", dir.path("train.bin"), "-o", dir.path("x.phb"), "--quiet"])
        #expect(r.status == 65)
        #expect(r.stderr == "proteus-index: \(dir.path("train.bin")): looks like text, not .bin tokens; tokenize it with `proteus-index encode` (or pass --dtype if it does hold tokens)\n")
        #expect(!FileManager.default.fileExists(atPath: dir.path("x.phb")))
        // The user can still insist.
        #expect(try CLI.run(["build", dir.path("train.bin"), "--dtype", "u16", "-o", dir.path("x.phb"), "--quiet"]).status == 0)
    }

    @Test func emitWithABadExtensionIsRefusedBeforeAnyAnswer() throws {
        let dir = try TemporaryDirectory()
        try PathSafetyTests.corpus(dir.path("c.u32"), seed: 6)
        #expect(try CLI.run(["build", dir.path("c.u32"), "-o", dir.path("c.phb"), "--quiet"]).status == 0)
        let r = try CLI.run(["query", dir.path("c.phb"), "--query-ids", "1,2,3", "--emit", dir.path("pack.txt")])
        #expect(r.status == 64)
        #expect(r.stdout == "")
        #expect(r.stderr == "proteus-index: \(dir.path("pack.txt")): '--emit' needs a .safetensors, .npy or .json path\n")
        let folder = try CLI.run(["query", dir.path("c.phb"), "--query-ids", "1,2,3", "--emit", "/nonexistent/dir/pack.json"])
        #expect(folder.status == 73)
        #expect(folder.stdout == "")
        #expect(folder.stderr == "proteus-index: /nonexistent/dir/pack.json: folder '/nonexistent/dir' does not exist\n")
    }

    @Test func noArgumentsIsAUsageErrorWithTheUsage() throws {
        let r = try CLI.run([])
        #expect(r.status == 64)
        #expect(r.stdout == "")
        #expect(r.stderr.contains("USAGE: proteus-index <subcommand>"))
        #expect(r.stderr.contains("SUBCOMMANDS:"))
        #expect(try CLI.run(["--help"]).status == 0)
    }
}
