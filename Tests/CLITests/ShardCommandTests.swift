import Testing
import Foundation

/// `build --shard i/N --dna` and `merge`: the shards of a corpus merge into exactly the index
/// of a single `build --dna`, and every way to get it wrong is refused in one line.
@Suite(.serialized) struct ShardCommandTests {
    static let corpus = IndexCommandTests.corpus
    static let tokenizer = IndexCommandTests.tokenizer
    /// Small chunks so that 16 shards all hold some.
    static let shape = ["--chunk-len", "4096", "--buffer", "4096"]

    static let dna: String = {
        let path = corpus.dir.path("shards.dna")
        let r = try! CLI.run(["learn", corpus.tok, "-o", path, "--tokenizer", tokenizer, "--chunk-len", "4096"])
        precondition(r.status == 0, r.stderr)
        return path
    }()

    static func build(_ input: String, _ extra: [String], output: String) throws -> CLIResult {
        try CLI.run(["build", input, "-o", output, "--tokenizer", tokenizer, "--quiet", "--dna", dna] + shape + extra)
    }

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Builds shards 1..n of `input` and returns their paths.
    static func shards(_ input: String, _ n: Int, prefix: String, extra: [String] = []) throws -> [String] {
        try (1...n).map { i in
            let out = corpus.dir.path("\(prefix)-\(i)of\(n).phb")
            let r = try build(input, ["--shard", "\(i)/\(n)", "--threads", i % 2 == 0 ? "2" : "1"] + extra, output: out)
            #expect(r.status == 0, "\(r.stderr)")
            return out
        }
    }

    @Test func mergedShardsEqualTheSingleBuildFor1_2_4And16Shards() throws {
        let single = Self.corpus.dir.path("single.phb")
        #expect(try Self.build(Self.corpus.tok, [], output: single).status == 0)
        // The routing tier has its joined-pair filters, which the shards carry to the merge.
        let described = try CLI.run(["inspect", single])
        #expect(described.stdout.contains("joined-pair filters") && described.stdout.contains("RPRF"), "\(described.stdout)")
        for n in [1, 2, 4, 16] {
            // Given in reverse order: the merge sorts them.
            let parts = try Self.shards(Self.corpus.tok, n, prefix: "tok").reversed()
            let merged = Self.corpus.dir.path("merged-\(n).phb")
            let r = try CLI.run(["merge"] + parts + ["-o", merged])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(try Self.bytes(merged) == Self.bytes(single), "merge of \(n) shards")
            // The routing inversion's threads change nothing; --quiet drops the summary line.
            let one = Self.corpus.dir.path("merged-\(n)-1.phb")
            let q = try CLI.run(["merge"] + parts + ["-o", one, "--threads", "1", "--quiet"])
            #expect(q.status == 0 && q.stderr == "", "\(q.stderr)")
            #expect(r.stderr.hasPrefix("\(merged): \(n) shards"))
            #expect(try Self.bytes(one) == Self.bytes(single), "merge of \(n) shards on one thread")
        }
        // A damaged shard section is described as its error, not left out of the description.
        let part = Self.corpus.dir.path("tok-1of2.phb"), broken = Self.corpus.dir.path("tok-1of2-broken.phb")
        let info = try JSONSerialization.jsonObject(with: Data(try CLI.run(["inspect", part, "--json"]).stdout.utf8)) as! [String: Any]
        #expect((info["shard"] as? [String: Any])?["count"] as? Int == 2)
        let whole = try JSONSerialization.jsonObject(with: Data(try CLI.run(["inspect", single, "--json"]).stdout.utf8)) as! [String: Any]
        #expect(whole["shard"] is NSNull)
        let shrd = (info["sections"] as! [[String: Any]]).first { $0["kind"] as? String == "SHRD" }!
        var bytes = try [UInt8](Self.bytes(part))
        bytes[shrd["offset"] as! Int] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: broken))
        let d = try CLI.run(["inspect", broken])
        #expect(d.status == 65 && d.stdout.isEmpty, "\(d.stdout)")
        #expect(d.stderr == "proteus-index: \(broken): section 'SHRD' at byte \(shrd["offset"] as! Int): checksum mismatch\n", "\(d.stderr)")
        // The merged index answers as the single build does.
        let q = try CLI.run(["query", Self.corpus.dir.path("merged-4.phb"), IndexCommandTests.question, "--json", "--top", "1"])
        #expect(q.status == 0, "\(q.stderr)")
        #expect(q.stdout.contains("Dolores Park"))
    }

    @Test func aDirectoryAndAnInputKeptWholeMergeExactlyToo() throws {
        // A folder of token files (documents), and an input smaller than the buffer (kept whole).
        let folder = Self.corpus.dir.path("tokfolder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for round in 1...3 {
            let r = try CLI.run(["encode", Self.corpus.dir.path("text/round\(round)"), "-o", folder + "/round\(round).tok",
                                 "--tokenizer", Self.tokenizer, "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let single = Self.corpus.dir.path("folder-single.phb")
        #expect(try Self.build(folder, [], output: single).status == 0)
        let merged = Self.corpus.dir.path("folder-merged.phb")
        #expect(try CLI.run(["merge"] + Self.shards(folder, 3, prefix: "folder") + ["-o", merged]).status == 0)
        #expect(try Self.bytes(merged) == Self.bytes(single))

        let whole = Self.corpus.dir.path("whole-single.phb")
        #expect(try Self.build(Self.corpus.tok, ["--buffer", "1000000"], output: whole).status == 0)
        let wholeMerged = Self.corpus.dir.path("whole-merged.phb")
        let parts = try Self.shards(Self.corpus.tok, 4, prefix: "whole", extra: ["--buffer", "1000000"])
        #expect(try CLI.run(["merge"] + parts + ["-o", wholeMerged]).status == 0)
        #expect(try Self.bytes(wholeMerged) == Self.bytes(whole))
    }

    /// A folder of token files of unequal sizes: slices of the corpus as raw u32 and, among
    /// them, a `.tok` of many documents; with each file's first token and the total.
    static let unequalFolder: (path: String, starts: [Int], tokens: Int) = {
        let folder = corpus.dir.path("unequal"), raw = corpus.dir.path("unequal-source.u32")
        try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var r = try! CLI.run(["convert", corpus.tok, "-o", raw, "--quiet"])
        precondition(r.status == 0, r.stderr)
        r = try! CLI.run(["encode", corpus.dir.path("text/round1"), "-o", folder + "/c-round1.tok", "--tokenizer", tokenizer, "--quiet"])
        precondition(r.status == 0, r.stderr)
        let info = try! JSONSerialization.jsonObject(with: Data(try! CLI.run(["inspect", folder + "/c-round1.tok", "--json"]).stdout.utf8))
        let tokLength = (info as! [String: Any])["tokens"] as! Int
        let ids = try! bytes(raw)
        var lengths: [(String, Int)] = [("a.u32", 30_000), ("b.u32", 120_000), ("c-round1.tok", tokLength), ("d.u32", 9_000),
                                        ("e.u32", 2_500), ("f.u32", 138_500)]
        var taken = 0
        for (name, length) in lengths where name.hasSuffix(".u32") {
            try! ids[(4 * taken)..<(4 * (taken + length))].write(to: URL(fileURLWithPath: folder + "/" + name))
            taken += length
        }
        lengths.sort { $0.0 < $1.0 }
        let starts = lengths.indices.map { k in lengths[..<k].reduce(0) { $0 + $1.1 } }
        return (folder, starts, lengths.reduce(0) { $0 + $1.1 })
    }()

    /// The tokens a shard index covers, as `inspect` tells them ("shard: i/N, chunks a..<b of c, tokens x..<y"),
    /// checked against `inspect --json`'s "shard" object.
    static func coveredTokens(_ path: String) throws -> Range<Int> {
        let line = try #require(try CLI.run(["inspect", path]).stdout.split(separator: "\n").first { $0.hasPrefix("  shard: ") })
        let range = try #require(line.split(separator: " ").last?.split(separator: ".").compactMap { Int($0.drop { $0 == "<" }) })
        try #require(range.count == 2, "\(line)")
        let info = try JSONSerialization.jsonObject(with: Data(try CLI.run(["inspect", path, "--json"]).stdout.utf8)) as! [String: Any]
        let shard = try #require(info["shard"] as? [String: Any])
        #expect(shard["token_start"] as? Int == range[0] && shard["token_end"] as? Int == range[1], "\(shard)")
        let chunks = try #require(line.split(separator: ",").first { $0.contains("chunks") }?.split(separator: " "))
        let first = shard["first"] as! Int, last = shard["last"] as! Int
        #expect(shard["spec"] as? String == "\(first == last ? "\(first)" : "\(first)-\(last)")/\(shard["count"]!)", "\(shard)")
        #expect(shard["spec"] as? String == String(line.split(separator: " ")[1].dropLast()), "\(line) \(shard)")
        #expect("\(shard["chunk_start"]!)..<\(shard["chunk_end"]!)" == chunks[1] && "\(shard["chunks"]!)" == chunks[3], "\(line) \(shard)")
        return range[0]..<range[1]
    }

    /// Where shard k + 1 of n starts, worked out on its own: the 4,096-token unit at or before
    /// the file start nearest to k/n of the tokens, the earlier on a tie.
    static func expectedStart(_ k: Int, of n: Int, starts: [Int], tokens: Int) -> Int {
        guard k > 0 else { return 0 }
        let nearest = starts.min { (abs($0 * n - tokens * k), $0) < (abs($1 * n - tokens * k), $1) }!
        return nearest / 4096 * 4096
    }

    @Test func aFolderIsSplitIntoWholeFilesBySize() throws {
        let (folder, starts, tokens) = Self.unequalFolder
        let single = Self.corpus.dir.path("unequal-single.phb")
        #expect(try Self.build(folder, [], output: single).status == 0)
        // 2 shards: the .tok sits exactly in the middle (150,000 tokens either side), a tie that
        // goes to its start; 9 shards of 6 files: some are empty.
        for n in [2, 3, 4, 9] {
            let parts = try Self.shards(folder, n, prefix: "unequal")
            let covered = try parts.map(Self.coveredTokens)
            for (k, range) in covered.enumerated() {
                #expect(range.lowerBound == Self.expectedStart(k, of: n, starts: starts, tokens: tokens), "shard \(k + 1)/\(n): \(covered)")
                // Shards tile the corpus.
                #expect(range.lowerBound == (k == 0 ? 0 : covered[k - 1].upperBound), "shard \(k + 1)/\(n): \(covered)")
            }
            #expect(covered.last?.upperBound == tokens)
            #expect(n < starts.count || covered.contains { $0.isEmpty }, "\(covered)")
            let merged = Self.corpus.dir.path("unequal-merged-\(n).phb")
            let r = try CLI.run(["merge"] + parts.reversed() + ["-o", merged])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(try Self.bytes(merged) == Self.bytes(single), "merge of \(n) shards of a folder")
            if n == 4 {
                // A tree of partial merges: shards 1-2 and 3-4, then both.
                let a = Self.corpus.dir.path("unequal-1-2.phb"), b = Self.corpus.dir.path("unequal-3-4.phb")
                #expect(try CLI.run(["merge", "--partial", parts[0], parts[1], "-o", a]).status == 0)
                #expect(try CLI.run(["merge", "--partial", parts[3], parts[2], "-o", b]).status == 0)
                #expect(try Self.coveredTokens(a) == covered[0].lowerBound..<covered[1].upperBound)
                let tree = Self.corpus.dir.path("unequal-tree.phb")
                #expect(try CLI.run(["merge", b, a, "-o", tree]).status == 0)
                #expect(try Self.bytes(tree) == Self.bytes(single), "partial merges of a folder's shards")
            }
        }
    }

    @Test func aTreeOfPartialMergesEqualsTheSingleBuild() throws {
        let single = Self.corpus.dir.path("single.phb")
        #expect(try Self.build(Self.corpus.tok, [], output: single).status == 0)
        let s = try Self.shards(Self.corpus.tok, 5, prefix: "tree")
        func merge(_ inputs: [String], _ name: String, partial: Bool = true) throws -> String {
            let out = Self.corpus.dir.path(name)
            let r = try CLI.run(["merge"] + (partial ? ["--partial"] : []) + inputs + ["-o", out, "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            return out
        }
        let a = try merge([s[1], s[0]], "tree-1-2.phb"), b = try merge([s[2], s[3]], "tree-3-4.phb")
        let ab = try merge([b, a], "tree-1-4.phb")
        let info = try CLI.run(["merge", "--partial", a, s[2], "-o", Self.corpus.dir.path("tree-1-3.phb"), "--json"])
        #expect(info.stdout.contains("\"shard\":\"1-3/5\""), "\(info.stdout)")
        // Any tree, and partial shards beside plain ones, give the single build's bytes.
        #expect(try Self.bytes(merge([ab, s[4]], "tree-a.phb", partial: false)) == Self.bytes(single))
        #expect(try Self.bytes(merge([s[4], b, a], "tree-b.phb", partial: false)) == Self.bytes(single))
        #expect(try Self.bytes(merge([Self.corpus.dir.path("tree-1-3.phb"), s[3], s[4]], "tree-c.phb")) == Self.bytes(single))
        // A shard index answers from its heroes and says why.
        let q = try CLI.run(["query", ab, IndexCommandTests.question, "--tokenizer", Self.tokenizer])
        #expect(q.status == 0, "\(q.stderr)")
        #expect(q.stderr.contains("a shard index has no routing tier until 'merge' joins all the shards"), "\(q.stderr)")
        // Gaps, overlaps and a partial shard twice.
        try Self.refused(["merge", "--partial", s[0], s[2]], "missing shard 2/5: the inputs hold 2 of 5 shards and a partial merge needs consecutive ones")
        try Self.refused(["merge", "--partial", a, s[1]], "overlapping shards: it is shard 2/5 and \(a) is shard 1-2/5")
        try Self.refused(["merge", "--partial", a, a], "duplicated shard: it and \(a) are both shard 1-2/5")
        try Self.refused(["merge", ab], "missing shard 5/5: the inputs hold 4 of 5 shards")
    }

    @Test func shardsOfTokensFromStdinMergeToTheStdinBuild() throws {
        // Each shard process reads the whole stream and keeps its 1/N of the chunks.
        let stream = try Self.bytes(Self.corpus.tok)
        let single = Self.corpus.dir.path("stdin-single.phb")
        let whole = try CLI.run(["build", "-", "-o", single, "--tokenizer", Self.tokenizer, "--quiet", "--dna", Self.dna] + Self.shape,
                                stdin: stream)
        #expect(whole.status == 0, "\(whole.stderr)")
        for n in [3] {
            let parts = try (1...n).map { i in
                let out = Self.corpus.dir.path("stdin-\(i)of\(n).phb")
                let r = try CLI.run(["build", "-", "-o", out, "--tokenizer", Self.tokenizer, "--quiet", "--dna", Self.dna,
                                     "--shard", "\(i)/\(n)"] + Self.shape, stdin: stream)
                #expect(r.status == 0, "\(r.stderr)")
                return out
            }
            let merged = Self.corpus.dir.path("stdin-merged-\(n).phb")
            let r = try CLI.run(["merge"] + parts + ["-o", merged])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(try Self.bytes(merged) == Self.bytes(single), "merge of \(n) stdin shards")
        }
    }

    /// Runs `merge` and expects status 65 (or `status`), one line containing `message`, no output file.
    static func refused(_ arguments: [String], _ message: String, status: Int32 = 65) throws {
        let out = corpus.dir.path("refused.phb")
        let r = try CLI.run(arguments + (arguments.first == "merge" ? ["-o", out] : []))
        #expect(r.status == status, "\(arguments): \(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func badShardsAndRangesAreRefusedNamingWhatDiffers() throws {
        let two = try Self.shards(Self.corpus.tok, 2, prefix: "bad")
        try Self.refused(["merge", two[0], two[0]], "duplicated shard: it and \(two[0]) are both shard 1/2")
        try Self.refused(["merge", two[0]], "missing shard 2/2")
        let fourth = try Self.shards(Self.corpus.tok, 4, prefix: "bad4")
        try Self.refused(["merge", two[0], fourth[1]], "shard count differs")
        // Another DNA, other parameters, another corpus.
        let otherDNA = Self.corpus.dir.path("other.dna")
        #expect(try CLI.run(["learn", Self.corpus.tok, "-o", otherDNA, "--tokenizer", Self.tokenizer, "--chunk-len", "4096",
                             "--top-p", "0.8"]).status == 0)
        let foreign = Self.corpus.dir.path("foreign-2of2.phb")
        #expect(try CLI.run(["build", Self.corpus.tok, "-o", foreign, "--tokenizer", Self.tokenizer, "--quiet", "--dna", otherDNA,
                             "--shard", "2/2", "--top-p", "0.8"] + Self.shape).status == 0)
        try Self.refused(["merge", two[0], foreign], "DNA differs from \(two[0])")
        let spanned = Self.corpus.dir.path("span-2of2.phb")
        #expect(try Self.build(Self.corpus.tok, ["--shard", "2/2", "--span", "4"], output: spanned).status == 0)
        try Self.refused(["merge", two[0], spanned], "parameter '--span' (4 against 8) differs")
        let raw = Self.corpus.dir.path("half.u32")
        #expect(try CLI.run(["convert", Self.corpus.tok, "-o", raw, "--quiet"]).status == 0)
        let data = try Self.bytes(raw)
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: raw))
        let otherCorpus = Self.corpus.dir.path("half-2of2.phb")
        #expect(try Self.build(raw, ["--shard", "2/2"], output: otherCorpus).status == 0)
        try Self.refused(["merge", two[0], otherCorpus], "corpus fingerprint differs")
        // A whole index, and an output onto an input.
        let whole = Self.corpus.dir.path("not-a-shard.phb")
        #expect(try Self.build(Self.corpus.tok, [], output: whole).status == 0)
        try Self.refused(["merge", whole], "not a shard index")
        let before = try Self.bytes(two[0])
        let r = try CLI.run(["merge", two[0], two[1], "-o", two[0]])
        #expect(r.status == 73, "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(try Self.bytes(two[0]) == before)
    }

    @Test func shardNumbersOutside1ToNAreRefused() throws {
        for bad in ["0/0", "3/2", "0/4", "x", "1/"] {
            try Self.refused(["build", Self.corpus.tok, "-o", Self.corpus.dir.path("refused.phb"), "--tokenizer", Self.tokenizer,
                              "--dna", Self.dna, "--shard", bad] + Self.shape, "'--shard'", status: 64)
        }
        try Self.refused(["build", Self.corpus.tok, "-o", Self.corpus.dir.path("refused.phb"), "--tokenizer", Self.tokenizer,
                          "--shard", "1/2"] + Self.shape, "'--shard' needs '--dna FILE.dna'", status: 64)
    }
}
