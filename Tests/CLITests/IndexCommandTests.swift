import Testing
import Foundation

/// build and query as a user runs them, on a needle-in-a-haystack corpus made from the essays.
@Suite(.serialized) struct IndexCommandTests {
    static let root = TokenFileCommandTests.root
    static let tokenizer = TokenFileCommandTests.tokenizer
    static let needle = "The best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on a sunny day."
    static let question = "What is the best thing to do in San Francisco?"

    /// Essays in three rounds, the needle hidden once in round two: ~450k tokens as a .tok.
    static let corpus: (dir: TemporaryDirectory, tok: String) = {
        let dir = try! TemporaryDirectory()
        let essays = root + "/fixtures/essays"
        let names = try! FileManager.default.contentsOfDirectory(atPath: essays).filter { $0.hasSuffix(".txt") }.sorted()
        for round in 1...3 {
            let folder = dir.path("text/round\(round)")
            try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for name in names {
                var text = try! String(contentsOfFile: essays + "/" + name, encoding: .utf8)
                if round == 2 && name == "founders.txt" {
                    var lines = text.components(separatedBy: "\n")
                    lines.insert(needle, at: 59)
                    text = lines.joined(separator: "\n")
                }
                try! text.write(toFile: folder + "/" + name, atomically: false, encoding: .utf8)
            }
        }
        let tok = dir.path("corpus.tok")
        let r = try! CLI.run(["encode", dir.path("text"), "-o", tok, "--tokenizer", tokenizer, "--quiet"])
        precondition(r.status == 0, r.stderr)
        return (dir, tok)
    }()

    static func build(_ extra: [String] = [], output: String) throws -> CLIResult {
        try CLI.run(["build", corpus.tok, "-o", output, "--tokenizer", tokenizer, "--buffer", "4096", "--quiet"] + extra)
    }

    @Test func focusWithoutATokenizerAndBadSignalsAreRefused() throws {
        let out = Self.corpus.dir.path("focus.phb")
        let r = try CLI.run(["build", Self.corpus.tok, "-o", out, "--focus", "San Francisco", "--quiet"])
        #expect(r.status == 64)
        #expect(r.stderr.hasSuffix("proteus-index: '--focus' needs a tokenizer: pass --tokenizer FILE.tiktoken\n"), "\(r.stderr)")
        let s = try Self.build(["--signals", "gates, color"], output: out)
        #expect(s.status == 64)
        #expect(s.stderr == "proteus-index: unknown signal 'color' in '--signals' (expected one of: surprisal, burstiness, gates, spans, shapes)\n")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func threadsMeanTheSameInEverySubcommand() throws {
        for command in [["encode", Self.root + "/fixtures/essays", "-o", Self.corpus.dir.path("t.tok"), "--tokenizer", Self.tokenizer],
                        ["build", Self.corpus.tok, "-o", Self.corpus.dir.path("t.phb")],
                        ["scan", Self.corpus.tok], ["query", Self.corpus.dir.path("t.phb"), "q"]] {
            let r = try CLI.run(command + ["--threads", "0"])
            #expect(r.status == 64, "\(command[0])")
            #expect(r.stderr.hasPrefix("Error: '--threads' must be at least 1\n"), "\(command[0]): \(r.stderr)")
        }
    }

    @Test func needleIsTheFirstAnswerWithItsExactPosition() throws {
        let out = Self.corpus.dir.path("needle.phb")
        let b = try Self.build(["--json"], output: out)
        #expect(b.status == 0, "\(b.stderr)")
        let stats = try JSONSerialization.jsonObject(with: Data(b.stdout.utf8)) as! [String: Any]
        #expect(stats["heroes"] as? Int == 4096)
        let q = try CLI.run(["query", out, Self.question, "--json", "--top", "3", "--context", "5"])
        #expect(q.status == 0, "\(q.stderr)")
        let answer = try JSONSerialization.jsonObject(with: Data(q.stdout.utf8)) as! [String: Any]
        let first = (answer["results"] as! [[String: Any]])[0]
        #expect((first["text"] as! String).contains("sandwich and sit in Dolores Park"))
        #expect((first["document"] as! String).hasSuffix("round2/founders.txt"))
        // The span's ids are the corpus's ids at exactly those positions.
        let start = first["start"] as! Int, end = first["end"] as! Int
        let decoded = try CLI.run(["decode", Self.corpus.tok, "--tokenizer", Self.tokenizer, "--range", "\(start):\(end)"])
        #expect(decoded.stdout == first["text"] as! String)
        // --context widens by 5 tokens on each side, read from the corpus.
        let context = first["context"] as! [String: Any]
        #expect(context["start"] as? Int == start - 5 && context["end"] as? Int == end + 5)
        let around = try CLI.run(["decode", Self.corpus.tok, "--tokenizer", Self.tokenizer, "--range", "\(start - 5):\(end + 5)"])
        #expect(context["text"] as? String == around.stdout)
    }

    @Test func indexIsTheSameForOneOrTwoThreadsAndForStandardInput() throws {
        let one = Self.corpus.dir.path("t1.phb"), two = Self.corpus.dir.path("t2.phb")
        #expect(try Self.build(["--threads", "1"], output: one).status == 0)
        #expect(try Self.build(["--threads", "2"], output: two).status == 0)
        let a = try Data(contentsOf: URL(fileURLWithPath: one)), b = try Data(contentsOf: URL(fileURLWithPath: two))
        #expect(a == b)
        // The same tokens through stdin give the same heroes and answers.
        let raw = Self.corpus.dir.path("corpus.u32")
        #expect(try CLI.run(["convert", Self.corpus.tok, "-o", raw, "--quiet"]).status == 0)
        let piped = Self.corpus.dir.path("piped.phb")
        let r = try CLI.run(["build", "-", "-o", piped, "--tokenizer", Self.tokenizer, "--buffer", "4096", "--quiet"],
                            stdin: try Data(contentsOf: URL(fileURLWithPath: raw)))
        #expect(r.status == 0, "\(r.stderr)")
        func answers(_ arguments: [String]) throws -> (mode: String, results: [[String: Any]]) {
            let q = try CLI.run(["query"] + arguments + [Self.question, "--json"])
            #expect(q.status == 0, "\(q.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(q.stdout.utf8)) as! [String: Any]
            return (object["mode"] as! String, object["results"] as! [[String: Any]])
        }
        // Heroes alone, and routed: the stdin-built index finds its corpus by content, given
        // as the raw file or as the .tok, while the file-built one finds it at its recorded path.
        for (a, b) in [([one, "--index-only"], [piped, "--index-only"]), ([one], [piped, "--corpus", raw]),
                       ([one], [piped, "--corpus", Self.corpus.tok])] {
            let ra = try answers(a), rb = try answers(b)
            #expect(ra.mode == rb.mode && ra.mode == (a.count == 1 ? "teleport" : "heroes"))
            #expect(ra.results.map { $0["start"] as! Int } == rb.results.map { $0["start"] as! Int })
            #expect(ra.results.map { $0["token_ids"] as! [Int] } == rb.results.map { $0["token_ids"] as! [Int] })
        }
    }

    @Test func anIndexOrADNAFileOnStandardInputIsNoTokenStream() throws {
        // Piped, an index was read as ids: `inspect -` described its bytes as 1.1M tokens.
        let index = Self.corpus.dir.path("piped-in.phb"), dna = Self.corpus.dir.path("piped-in.dna")
        #expect(try Self.build([], output: index).status == 0)
        #expect(try CLI.run(["learn", Self.corpus.tok, "-o", dna, "--tokenizer", Self.tokenizer, "--quiet"]).status == 0)
        for (file, what) in [(index, "a .phb index"), (dna, "a .dna file")] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            let out = Self.corpus.dir.path("from-stdin.phb")
            for arguments in [["inspect", "-"], ["build", "-", "-o", out, "--quiet"]] {
                let r = try CLI.run(arguments, stdin: bytes)
                #expect(r.status == 65 && r.stderr == "proteus-index: -: holds \(what), not tokens: give its path\n", "\(arguments): \(r.stderr)")
                #expect(!FileManager.default.fileExists(atPath: out))
            }
        }
    }

    @Test func packPositionsFollowTheChosenMode() throws {
        let out = Self.corpus.dir.path("pack.phb")
        #expect(try Self.build([], output: out).status == 0)
        for mode in ["original", "contiguous", "scaled:8192"] {
            let pack = Self.corpus.dir.path("pack-\(mode.replacingOccurrences(of: ":", with: "_")).json")
            let q = try CLI.run(["query", out, Self.question, "--emit", pack, "--positions", mode, "--max-tokens", "512"])
            #expect(q.status == 0, "\(q.stderr)")
            let p = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: pack))) as! [String: Any]
            let ids = p["input_ids"] as! [Int], positions = p["position_ids"] as! [Int]
            let heroes = p["hero_tokens"] as! Int
            #expect(heroes <= 512 && ids.count > heroes)
            #expect(zip(positions, positions.dropFirst()).allSatisfy { $0 < $1 })
            switch mode {
            case "contiguous": #expect(positions == Array(0..<ids.count))
            case "original":
                // The question is teleported to just after the last corpus token.
                let info = try CLI.run(["inspect", Self.corpus.tok, "--json"])
                let tokens = (try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as! [String: Any])["tokens"] as! Int
                #expect(positions[heroes] == tokens)
            default: #expect(positions.last! < 8192)
            }
        }
    }

    // MARK: bad input

    @Test func queryOfANonIndexSaysWhatItIs() throws {
        let q = try CLI.run(["query", Self.corpus.tok, Self.question])
        #expect(q.status == 65)
        #expect(q.stderr == "proteus-index: \(Self.corpus.tok): not a proteus-index file (it looks like a .tok token file; build an index with `proteus-index build`)\n")
    }

    @Test func emptyQuestionAndTopZeroAreRefused() throws {
        let out = Self.corpus.dir.path("bad.phb")
        #expect(try Self.build([], output: out).status == 0)
        let empty = try CLI.run(["query", out, "   "])
        #expect(empty.status == 64)
        #expect(empty.stderr == "proteus-index: the question is empty\n")
        let zero = try CLI.run(["query", out, Self.question, "--top", "0"])
        #expect(zero.status == 64)
        #expect(zero.stderr.contains("'--top' must be at least 1"))
        let emit = try CLI.run(["query", out, Self.question, "--emit", "/nonexistent/dir/pack.safetensors"])
        #expect(emit.status == 73)
        #expect(emit.stderr == "proteus-index: /nonexistent/dir/pack.safetensors: folder '/nonexistent/dir' does not exist\n")
    }

    @Test func buildRefusesBadSizesAndAnOutputOntoItsInput() throws {
        let span = try CLI.run(["build", Self.corpus.tok, "-o", Self.corpus.dir.path("x.phb"), "--span", "70000"])
        #expect(span.status == 64)
        #expect(span.stderr == "proteus-index: '--span' (70000) must be smaller than '--chunk-len' (65536)\n")
        let zero = try CLI.run(["build", Self.corpus.tok, "-o", Self.corpus.dir.path("x.phb"), "--buffer", "0"])
        #expect(zero.status == 64)
        #expect(zero.stderr == "proteus-index: '--buffer' must be positive (got 0)\n")
        let same = try CLI.run(["build", Self.corpus.tok, "-o", Self.corpus.tok])
        #expect(same.status == 73)
        #expect(same.stderr == "proteus-index: \(Self.corpus.tok): output path is also an input; choose another output\n")
        #expect(!FileManager.default.fileExists(atPath: Self.corpus.dir.path("x.phb")))
    }

    @Test func aCorpusGivenThatIsNotTheIndexedOneIsRefused() throws {
        let out = Self.corpus.dir.path("changed.phb")
        #expect(try Self.build([], output: out).status == 0)
        let other = Self.corpus.dir.path("other.tok")
        #expect(try CLI.run(["encode", Self.root + "/fixtures/text/mixed.txt", "-o", other, "--tokenizer", Self.tokenizer, "--quiet"]).status == 0)
        let q = try CLI.run(["query", out, Self.question, "--context", "4", "--corpus", other, "--json"])
        #expect(q.status == 65)
        #expect(q.stderr == "proteus-index: \(other): does not match the corpus this index was built from (773 tokens, the index was built from 446336)\n")
        #expect(q.stdout.isEmpty)
    }

    @Test func aChangedCorpusAtTheRecordedPathGivesTheHeroesAndAWarning() throws {
        let moving = Self.corpus.dir.path("moving.tok"), out = Self.corpus.dir.path("moving.phb")
        try FileManager.default.copyItem(atPath: Self.corpus.tok, toPath: moving)
        #expect(try CLI.run(["build", moving, "-o", out, "--tokenizer", Self.tokenizer, "--buffer", "4096", "--quiet"]).status == 0)
        #expect(try CLI.run(["encode", Self.root + "/fixtures/text/mixed.txt", "-o", moving, "--tokenizer", Self.tokenizer, "--quiet"]).status == 0)
        let q = try CLI.run(["query", out, Self.question, "--context", "4", "--json"])
        #expect(q.status == 0)
        let warning = "answering from the heroes alone: \(moving): does not match the corpus this index was built from (773 tokens, the index was built from 446336); --context ignored"
        #expect(q.stderr == "proteus-index: warning: \(warning)\n")
        let object = try JSONSerialization.jsonObject(with: Data(q.stdout.utf8)) as! [String: Any]
        #expect(object["mode"] as? String == "heroes")
        #expect(object["warnings"] as? [String] == [warning])
        #expect(!q.stdout.contains("\"context\""))
        try FileManager.default.removeItem(atPath: moving)
        let gone = try CLI.run(["query", out, Self.question])
        #expect(gone.status == 0)
        #expect(gone.stderr == "proteus-index: warning: answering from the heroes alone: \(moving): cannot open: No such file or directory (errno 2)\n")
    }
}
