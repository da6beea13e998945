import Testing
import Foundation

/// The query's machine interface and the remaining bad inputs of build and query.
@Suite(.serialized) struct QueryContractTests {
    static var corpus: (dir: TemporaryDirectory, tok: String) { IndexCommandTests.corpus }
    static let tokenizer = IndexCommandTests.tokenizer
    static let index: String = {
        let out = corpus.dir.path("contract.phb")
        let r = try! IndexCommandTests.build([], output: out)
        precondition(r.status == 0, r.stderr)
        return out
    }()

    /// Whether python3 finds every package (found, not imported), for `.enabled(if:)`: a test
    /// whose reference library is missing shows as skipped, never as a silent pass.
    static func pythonHas(_ packages: [String]) -> Bool {
        let probe = "import importlib.util as u, sys; sys.exit(0 if all(u.find_spec(p) for p in sys.argv[1:]) else 1)"
        return (try? python(["-c", probe] + packages, stdin: "").0) == 0
    }

    static func python(_ arguments: [String], stdin: String) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + arguments
        let input = Pipe(), err = Pipe()
        p.standardInput = input
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    @Test(.enabled(if: pythonHas(["jsonschema"]), "needs python3 with jsonschema (tools/install-deps.sh)"))
    func jsonAnswersFollowTheSchema() throws {
        let questions = Self.corpus.dir.path("questions.txt")
        try "What is the best thing to do in San Francisco?\nHow do founders raise money?\n"
            .write(toFile: questions, atomically: false, encoding: .utf8)
        let q = try CLI.run(["query", Self.index, "--questions", questions, "--json", "--context", "3"])
        #expect(q.status == 0, "\(q.stderr)")
        #expect(q.stdout.split(separator: "\n").count == 2)
        let root = TokenFileCommandTests.root
        let (status, message) = try Self.python([root + "/tools/validate_json.py", root + "/fixtures/schema/query-answer.schema.json"],
                                                stdin: q.stdout)
        #expect(status == 0, "\(message)")
        // The validator is not a rubber stamp: a broken answer fails.
        let broken = q.stdout.replacingOccurrences(of: "\"rank\":1", with: "\"rank\":\"one\"")
        #expect(try Self.python([root + "/tools/validate_json.py", root + "/fixtures/schema/query-answer.schema.json"], stdin: broken).0 == 1)
    }

    @Test(.enabled(if: pythonHas(["numpy", "safetensors"]), "needs python3 with numpy and safetensors (tools/install-deps.sh)"))
    func packLoadsWithSafetensorsAndNumpy() throws {
        var paths: [String] = []
        for ext in ["json", "safetensors", "npy"] {
            let path = Self.corpus.dir.path("pack.\(ext)")
            let q = try CLI.run(["query", Self.index, IndexCommandTests.question, "--emit", path, "--max-tokens", "256",
                                 "--positions", "scaled:4096"])
            #expect(q.status == 0, "\(q.stderr)")
            paths.append(path)
        }
        let (status, message) = try Self.python([TokenFileCommandTests.root + "/tools/check_pack.py"] + paths, stdin: "")
        #expect(status == 0, "\(message)")
    }

    @Test func questionsOnStandardInputAreAnsweredInOrder() throws {
        let q = try CLI.run(["query", Self.index, "--json"], stdin: Data("first question\n\nsecond one\n".utf8))
        #expect(q.status == 0, "\(q.stderr)")
        let questions = q.stdout.split(separator: "\n").map {
            (try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["question"] as! String
        }
        #expect(questions == ["first question", "second one"])
        // "-" names standard input, as everywhere else.
        let dash = try CLI.run(["query", Self.index, "--json", "--questions", "-"], stdin: Data("first question\n".utf8))
        #expect(dash.status == 0 && dash.stdout.contains("\"question\":\"first question\""), "\(dash.stderr)")
        // And as the question argument ("-" was asked as a question of its own).
        let argument = try CLI.run(["query", Self.index, "--json", "-"], stdin: Data("first question\nsecond one\n".utf8))
        #expect(argument.status == 0 && argument.stdout.split(separator: "\n").count == 2
                && argument.stdout.contains("\"question\":\"second one\""), "\(argument.stderr)")
    }

    @Test func queryIdsNeedKnownTokens() throws {
        let q = try CLI.run(["query", Self.index, "--query-ids", "4000000,4000001"])
        #expect(q.status == 65)
        #expect(q.stderr == "proteus-index: \(Self.index): none of the question's tokens occurs in the indexed corpus\n")
        let bad = try CLI.run(["query", Self.index, "--query-ids", "12,abc"])
        #expect(bad.status == 64)
        #expect(bad.stderr == "proteus-index: '--query-ids' must be comma-separated token ids, not 'abc'\n")
    }

    @Test func aTokenizerOtherThanTheCorpusOneIsRefused() throws {
        let other = Self.corpus.dir.path("other.tiktoken")
        let lines = try String(contentsOfFile: Self.tokenizer, encoding: .utf8).split(separator: "\n").dropLast()
        try (lines.joined(separator: "\n") + "\n").write(toFile: other, atomically: false, encoding: .utf8)
        let q = try CLI.run(["query", Self.index, "a question", "--tokenizer", other])
        #expect(q.status == 65)
        #expect(q.stderr.hasPrefix("proteus-index: \(Self.index): was made with tokenizer cl100k_base (sha256 223921b76ee9…), but the given tokenizer other has sha256 "))
    }

    @Test func missingAndTruncatedIndexesAreClearErrors() throws {
        let missing = try CLI.run(["query", Self.corpus.dir.path("nope.phb"), "q"])
        #expect(missing.status == 66)
        #expect(missing.stderr == "proteus-index: \(Self.corpus.dir.path("nope.phb")): cannot open: No such file or directory (errno 2)\n")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.index))
        let cut = Self.corpus.dir.path("cut.phb")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        let truncated = try CLI.run(["query", cut, "q"])
        #expect(truncated.status == 65)
        #expect(truncated.stderr == "proteus-index: \(cut): truncated: header says \(bytes.count) bytes, file has \(bytes.count / 2)\n")
    }

    @Test func eachWritesOneIndexPerFileInsideTheFolder() throws {
        let dir = try TemporaryDirectory()
        let raw = Data((0..<300_000).flatMap { i -> [UInt8] in withUnsafeBytes(of: UInt32(i * 31 % 50_000).littleEndian, Array.init) })
        try FileManager.default.createDirectory(atPath: dir.path("in/sub"), withIntermediateDirectories: true)
        try raw.write(to: URL(fileURLWithPath: dir.path("in/a.u32")))
        try raw.prefix(400_000).write(to: URL(fileURLWithPath: dir.path("in/sub/b.u32")))
        try FileManager.default.createDirectory(atPath: dir.path("out"), withIntermediateDirectories: true)
        let r = try CLI.run(["build", dir.path("in"), "--each", dir.path("out"), "--buffer", "2048", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path("out")).sorted() == ["a.phb", "b.phb"])
        let info = try CLI.run(["inspect", dir.path("out/b.phb"), "--json"])
        #expect(info.stdout.contains("\"tokens\":100000") || info.stdout.contains("\"tokens\": 100000"))
    }

    @Test func aFullDiskLeavesNoPartialIndexAndKeepsTheOldOne() throws {
        let out = Self.corpus.dir.path("full.phb")
        try Data("previous index".utf8).write(to: URL(fileURLWithPath: out))
        // A 1 MiB file-size limit makes writes fail with EFBIG, as a full disk fails with ENOSPC.
        let command = "ulimit -f 1024; trap '' XFSZ; exec '\(CLI.executable.path)' build '\(Self.corpus.tok)' -o '\(out)' --tokenizer '\(Self.tokenizer)' --quiet"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 74)
        #expect(message == "proteus-index: \(out): write failed: File too large (errno 27)\n")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "previous index")
        // Only this build's temporary files: other tests write into the shared folder meanwhile.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.dir.url.path)
            .filter { $0.hasPrefix(".full.phb.proteus-tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test(.enabled(if: pythonHas(["numpy"]), "needs python3 with numpy (tools/install-deps.sh)"))
    func embeddingsFromNumpyAreUsedAndTooFewRowsAreRefused() throws {
        let dir = try TemporaryDirectory()
        let script = "import numpy as np; np.random.seed(0); "
            + "np.save('\(dir.path("emb.npy"))', np.random.randn(100277, 16).astype(np.float32)); "
            + "np.save('\(dir.path("few.npy"))', np.random.randn(1000, 16).astype(np.float32))"
        let (status, message) = try Self.python(["-c", script], stdin: "")
        try #require(status == 0, "\(message)")
        let out = dir.path("emb.phb")
        let r = try CLI.run(["build", Self.corpus.tok, "-o", out, "--tokenizer", Self.tokenizer, "--buffer", "4096",
                             "--embeddings", dir.path("emb.npy"), "--focus", "San Francisco", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let info = try CLI.run(["inspect", out])
        #expect(info.stdout.contains("features from embeddings:emb.npy:"))
        #expect(info.stdout.contains("feature dimension 16"))
        #expect(info.stdout.contains("focus: San Francisco"))
        let few = try CLI.run(["build", Self.corpus.tok, "-o", dir.path("few.phb"), "--tokenizer", Self.tokenizer,
                               "--embeddings", dir.path("few.npy")])
        #expect(few.status == 64)
        #expect(few.stderr == "proteus-index: '--embeddings' has 1000 rows but tokenizer 'cl100k_base' has 100277 token ids\n")
    }

    @Test func anOutputFolderThatDoesNotExistIsNamed() throws {
        let r = try CLI.run(["build", Self.corpus.tok, "-o", "/nonexistent/folder/x.phb", "--tokenizer", Self.tokenizer])
        #expect(r.status == 73)
        #expect(r.stderr == "proteus-index: /nonexistent/folder/x.phb: folder '/nonexistent/folder' does not exist\n")
    }
}
