import Testing
import Foundation
import ProteusIndex

/// query's modes as a user meets them: routed to the corpus, heroes alone, rescan, and the
/// refusals around them.
@Suite(.serialized) struct TeleportCommandTests {
    static var corpus: (dir: TemporaryDirectory, tok: String) { IndexCommandTests.corpus }
    static let question = IndexCommandTests.question
    static let index: String = {
        let out = corpus.dir.path("teleport.phb")
        let r = try! IndexCommandTests.build(["--route-window", "4096"], output: out)
        precondition(r.status == 0, r.stderr)
        return out
    }()

    static func json(_ r: CLIResult) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    }

    @Test func theCorpusAtItsRecordedPathIsRoutedToAndTheExactTextComesBack() throws {
        let q = try CLI.run(["query", Self.index, Self.question, "--json", "--top", "1"])
        #expect(q.status == 0 && q.stderr.isEmpty, "\(q.stderr)")
        let answer = try Self.json(q)
        #expect(answer["mode"] as? String == "teleport")
        #expect((answer["windows_read"] as! Int) >= 1 && (answer["windows_read"] as! Int) <= (answer["candidate_windows"] as! Int))
        let first = (answer["results"] as! [[String: Any]])[0]
        #expect(first["source"] as? String == "corpus")
        #expect((first["text"] as! String).contains(IndexCommandTests.needle))
        // founders.txt of round 2 holds the needle as its line 60; the answer is the sentence
        // around it, which starts on the line before (wrapped prose): its line and column
        // are where the file's text reads what the answer reads.
        let file = Self.corpus.dir.path("text/round2/founders.txt")
        #expect(first["document"] as? String == file)
        let line = try #require(first["line"] as? Int), column = try #require(first["column"] as? Int)
        #expect(line == 59 || line == 60)
        let lines = try String(contentsOfFile: file, encoding: .utf8).components(separatedBy: "\n")
        let rest = String(lines[line - 1].dropFirst(column - 1))
        #expect((first["text"] as! String).hasPrefix(rest + "\n"), "\(line):\(column) reads \(rest)")
        let text = try CLI.run(["query", Self.index, Self.question, "--top", "1"])
        #expect(text.stdout.contains("  \(file):\(line):\(column)  tokens "))
        // The text is the corpus's own at the answer's positions.
        let decoded = try CLI.run(["decode", Self.corpus.tok, "--tokenizer", IndexCommandTests.tokenizer,
                                   "--range", "\(first["start"] as! Int):\(first["end"] as! Int)"])
        #expect(decoded.stdout == first["text"] as? String)
    }

    @Test func theTextViewShowsEachAnswerWithoutTheBlankLinesItEndsWith() throws {
        // The same answers as --json, each indented under its header; the spaces and blank
        // lines a passage ends with, and the space before the first word of a passage that
        // starts inside a line, are not shown.
        var trimmed = 0
        for question in [Self.question, "How do startup founders talk to investors?", "What did the painters learn?"] {
            let json = try Self.json(try CLI.run(["query", Self.index, question, "--json", "--top", "5"]))
            let view = try CLI.run(["query", Self.index, question, "--top", "5"])
            #expect(view.status == 0)
            var expected = "? \(question)\n"
            for r in json["results"] as! [[String: Any]] {
                let text = r["text"] as! String
                var lines = text.components(separatedBy: "\n").map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }
                while lines.count > 1, lines.last!.isEmpty { lines.removeLast() }
                if (r["column"] as? Int ?? 1) > 1 { lines[0] = String(lines[0].drop(while: { $0 == " " })) }
                if lines.joined(separator: "\n") != text { trimmed += 1 }
                let place = "\(r["document"] as! String):\(r["line"] as! Int):\(r["column"] as! Int)"
                expected += "#\(r["rank"] as! Int)  \(String(format: "%.3f", r["score"] as! Double))  \(place)  tokens "
                    + "\(r["start"] as! Int)..<\(r["end"] as! Int) (\(r["source"] as! String == "corpus" ? "corpus" : "hero span"))\n"
                expected += lines.map { "    " + $0 + "\n" }.joined()
            }
            #expect(view.stdout == expected)
        }
        #expect(trimmed > 0)
    }

    @Test func indexOnlyAndRescanAreTheOtherModes() throws {
        let heroes = try Self.json(CLI.run(["query", Self.index, Self.question, "--json", "--index-only"]))
        #expect(heroes["mode"] as? String == "heroes" && heroes["windows_read"] as? Int == 0)
        #expect((heroes["results"] as! [[String: Any]]).allSatisfy { $0["source"] as? String == "heroes" })
        let rescan = try Self.json(CLI.run(["query", Self.index, Self.question, "--json", "--rescan", Self.corpus.tok]))
        #expect(rescan["mode"] as? String == "rescan")
        let routed = try Self.json(CLI.run(["query", Self.index, Self.question, "--json", "--max-windows", "1000"]))
        #expect((rescan["results"] as! [[String: Any]]).first?["start"] as? Int
                == (routed["results"] as! [[String: Any]]).first?["start"] as? Int)
    }

    @Test func explainSaysHowTheQuestionWasWeighedAndRouted() throws {
        let q = try CLI.run(["query", Self.index, Self.question, "--explain"])
        #expect(q.status == 0)
        #expect(q.stderr.hasPrefix("explain: mode teleport, "))
        #expect(q.stderr.contains("' Francisco'"))
        #expect(q.stderr.contains(" anchor, "))
        // A word that opens a line in other pieces says so: " procrast" "ination", and
        // "procrastination" or "Procrastination" at a line start.
        let p = try CLI.run(["query", Self.index, "procrastination", "--explain", "--top", "1"])
        #expect(p.status == 0 && p.stderr.contains("' procrast'  weight "), "\(p.stderr)")
        #expect(p.stderr.contains("; at a line start in 'pro' 'crast' 'ination', 'Pro' 'crast' 'ination'"), "\(p.stderr)")
        // A question's frame (words in most windows opening it) is marked: no answer need hold it.
        let f = try CLI.run(["query", Self.index, "Tell me about procrastination", "--explain", "--top", "1"])
        let lines = f.stderr.components(separatedBy: "\n")
        #expect(lines.contains { $0.hasPrefix("  ' me'|") && $0.contains(" frame, most windows") }, "\(f.stderr)")
        #expect(lines.contains { $0.hasPrefix("  ' procrast'  weight ") && !$0.contains("frame") }, "\(f.stderr)")
        // A word that names documents (founders.txt of each round) says which.
        let n = try CLI.run(["query", Self.index, "What did founders learn about addiction?", "--explain", "--top", "1"])
        let files = (1...3).map { Self.corpus.dir.path("text/round\($0)/founders.txt") }
        #expect(n.stderr.components(separatedBy: "\n").contains { $0.hasPrefix("  ' founders'") && $0.hasSuffix("; names 3 documents " + files.joined(separator: ", ")) },
                "\(n.stderr)")
        #expect(n.stderr.contains("; names 3 documents " + (1...3).map { Self.corpus.dir.path("text/round\($0)/addiction.txt") }.joined(separator: ", ")))
    }

    @Test func conflictingModesAreUsageErrors() throws {
        let a = try CLI.run(["query", Self.index, Self.question, "--index-only", "--corpus", Self.corpus.tok])
        #expect(a.status == 64)
        #expect(a.stderr.hasPrefix("Error: '--index-only' answers without the corpus; it cannot be combined with '--rescan' or '--corpus'"))
        let b = try CLI.run(["query", Self.index, Self.question, "--max-windows", "0"])
        #expect(b.status == 64 && b.stderr.hasPrefix("Error: '--max-windows' must be at least 1"))
        let c = try CLI.run(["query", Self.index, Self.question, "--emit", Self.corpus.dir.path("pack.txt")])
        #expect(c.status == 64 && c.stdout.isEmpty)
        #expect(c.stderr == "proteus-index: \(Self.corpus.dir.path("pack.txt")): '--emit' needs a .safetensors, .npy or .json path\n")
    }

    @Test func aStdinIndexWithoutCorpusAnswersFromTheHeroesAndSaysWhy() throws {
        let raw = Self.corpus.dir.path("teleport.u32"), piped = Self.corpus.dir.path("teleport-piped.phb")
        #expect(try CLI.run(["convert", Self.corpus.tok, "-o", raw, "--quiet"]).status == 0)
        let b = try CLI.run(["build", "-", "-o", piped, "--tokenizer", IndexCommandTests.tokenizer, "--buffer", "4096", "--quiet"],
                            stdin: try Data(contentsOf: URL(fileURLWithPath: raw)))
        #expect(b.status == 0, "\(b.stderr)")
        let q = try CLI.run(["query", piped, Self.question, "--json"])
        #expect(q.status == 0)
        let why = "answering from the heroes alone: the index was built from standard input or a pipe; pass --corpus FILE to read its corpus"
        #expect(q.stderr == "proteus-index: warning: \(why)\n")
        let answer = try Self.json(q)
        #expect(answer["mode"] as? String == "heroes" && answer["warnings"] as? [String] == [why])
    }

    @Test func aCorpusOfFramesMuchLargerThanTheWindowsIsRoutedWithAWarning() throws {
        // 65,536-token frames hold 16 of this index's 4,096-token windows: every window read
        // decompresses 16 times its tokens. The same tokens, so the answers do not change.
        let big = Self.corpus.dir.path("big-frames.tok")
        #expect(try CLI.run(["convert", Self.corpus.tok, "-o", big, "--frame-tokens", "65536", "--quiet"]).status == 0)
        let q = try CLI.run(["query", Self.index, Self.question, "--corpus", big, "--json", "--top", "1"])
        let warning = "\(big): frames of 65536 tokens hold 16 routing windows of 4096, and reading one window "
            + "decompresses its whole frame; 'proteus-index convert \(big) -o NEW.tok --frame-tokens 4096' rewrites it for fast routing"
        #expect(q.status == 0)
        #expect(q.stderr == "proteus-index: warning: \(warning)\n")
        let answer = try Self.json(q)
        #expect(answer["mode"] as? String == "teleport" && answer["warnings"] as? [String] == [warning])
        let usual = try Self.json(CLI.run(["query", Self.index, Self.question, "--json", "--top", "1"]))
        #expect((answer["results"] as! [[String: Any]])[0]["start"] as? Int == (usual["results"] as! [[String: Any]])[0]["start"] as? Int)
        // Frames of 4 windows (the bundled corpus's 16,384 against 4,096) pass without a word.
        #expect(try CLI.run(["query", Self.index, Self.question, "--corpus", Self.corpus.tok, "--top", "1"]).stderr == "")
    }

    @Test func aQuestionOfStopWordsIsAnsweredFromTheHeroesWithANote() throws {
        let q = try CLI.run(["query", Self.index, "Is it that of the?"])
        #expect(q.status == 0)
        #expect(q.stderr == "proteus-index: note: the question has no rare token to look for; answered from the heroes\n")
        #expect(q.stdout.hasPrefix("? Is it that of the?\n"))
    }

    @Test func aCorruptWindowListIsADataErrorNamingTheSectionAndByte() throws {
        let broken = Self.corpus.dir.path("teleport-broken.phb")
        try FileManager.default.copyItem(atPath: Self.index, toPath: broken)
        // Find the list of " Francisco" through inspect, then damage the whole postings section
        // and re-seal the checksums, as a crafted file would.
        let info = try Self.json(CLI.run(["inspect", broken, "--json"]))
        let sections = info["sections"] as! [[String: Any]]
        let postings = sections.first { $0["kind"] as? String == "RPST" }!
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: broken)))
        let offset = postings["offset"] as! Int, length = postings["length"] as! Int
        for i in offset..<(offset + length) { bytes[i] = 0xFF }
        try Data(bytes).write(to: URL(fileURLWithPath: broken))
        try PHBFixup.reseal(broken)
        let q = try CLI.run(["query", broken, Self.question])
        #expect(q.status == 65)
        #expect(q.stderr.hasPrefix("proteus-index: \(broken): section 'RPST' at byte "))
        #expect(q.stderr.hasSuffix(" is corrupt\n") && q.stdout.isEmpty)
        let v = try CLI.run(["inspect", broken, "--verify"])
        #expect(v.status == 65 && v.stderr.contains("section 'RPST' at byte "))
    }

    @Test func pairFilterOffsetsThatDoNotAddUpAreADataErrorNamingTheSectionAndByte() throws {
        let info = try Self.json(CLI.run(["inspect", Self.index, "--json"]))
        #expect((info["routing"] as! [String: Any])["pair_filter_bytes"] as! Int > 0)
        let sections = info["sections"] as! [[String: Any]]
        let offsets = sections.first { $0["kind"] as? String == "RPRO" }!
        let start = offsets["offset"] as! Int, count = offsets["count"] as! Int
        // Window 1's filter ends where it starts; then the last offset overruns the words.
        for (name, at, value, message) in [("empty", start + 16, 0, "window 1's filter ends at word 0, not after its start"),
                                           ("overrun", start + 8 * (count - 1), 1 << 40, "the filters end at word 1099511627776, but 'RPRF' holds")] {
            let broken = Self.corpus.dir.path("teleport-pairs-\(name).phb")
            try FileManager.default.copyItem(atPath: Self.index, toPath: broken)
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: broken)))
            for i in 0..<8 { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
            try Data(bytes).write(to: URL(fileURLWithPath: broken))
            try PHBFixup.reseal(broken)
            let q = try CLI.run(["query", broken, Self.question])
            #expect(q.status == 65 && q.stdout.isEmpty)
            #expect(q.stderr.hasPrefix("proteus-index: \(broken): section 'RPRO' at byte \(at): "), "\(q.stderr)")
            #expect(q.stderr.contains(message), "\(q.stderr)")
            let v = try CLI.run(["inspect", broken, "--verify"])
            #expect(v.status == 65 && v.stderr.contains("section 'RPRO' at byte \(at): "))
            // Described, the damaged tier is the same error, not "routing tier: none".
            for json in [false, true] {
                let d = try CLI.run(["inspect", broken] + (json ? ["--json"] : []))
                #expect(d.status == 65 && d.stdout.isEmpty, "\(d.stdout)")
                #expect(d.stderr.hasPrefix("proteus-index: \(broken): section 'RPRO' at byte \(at): "), "\(d.stderr)")
            }
        }
    }
}

/// Recomputes every section checksum and the header checksum of an index: what a crafted
/// or carefully damaged file looks like.
enum PHBFixup {
    static func reseal(_ path: String) throws {
        var b = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        func u32(_ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24 }
        func u64(_ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(b[at + $1]) << (8 * $1) } }
        func put(_ v: UInt64, _ at: Int) { for i in 0..<8 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) } }
        let count = u32(16)
        for i in 0..<count {
            let e = 64 + 40 * i
            let offset = u64(e + 8), length = u64(e + 16)
            put(XXH64.hash(Array(b[offset..<(offset + length)])), e + 32)
        }
        put(XXH64.hash(Array(b[0..<56]) + Array(b[64..<(64 + 40 * count)])), 56)
        try Data(b).write(to: URL(fileURLWithPath: path))
    }
}
