import Testing
import Foundation

/// `build --appendable`, `build --after` and `merge all.phb new.phb`: appending the files added
/// to a corpus gives exactly the index of a rebuild over all of them, and every way to get it
/// wrong is refused in one line with no output.
@Suite(.serialized) struct AppendCommandTests {
    static let corpus = IndexCommandTests.corpus
    static let tokenizer = IndexCommandTests.tokenizer
    static let shape = ShardCommandTests.shape

    static func build(_ inputs: [String], _ extra: [String], output: String) throws {
        let r = try CLI.run(["build"] + inputs + ["-o", output, "--tokenizer", tokenizer, "--quiet", "--dna", ShardCommandTests.dna]
                            + shape + extra)
        #expect(r.status == 0, "\(r.stderr)")
    }

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// The essays' three rounds as `.tok` files (about 150k tokens each), named so that a
    /// folder walk takes them in round order.
    static let rounds: [String] = (1...3).map { round in
        let path = corpus.dir.path("append-rounds/round\(round).tok")
        try! FileManager.default.createDirectory(atPath: corpus.dir.path("append-rounds"), withIntermediateDirectories: true)
        let r = try! CLI.run(["encode", corpus.dir.path("text/round\(round)"), "-o", path, "--tokenizer", tokenizer, "--quiet"])
        precondition(r.status == 0, r.stderr)
        return path
    }

    /// A folder holding the first `n` rounds.
    static func folder(_ name: String, rounds n: Int) throws -> String {
        let folder = corpus.dir.path(name)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for k in 0..<n where !FileManager.default.fileExists(atPath: folder + "/round\(k + 1).tok") {
            try FileManager.default.copyItem(atPath: rounds[k], toPath: folder + "/round\(k + 1).tok")
        }
        return folder
    }

    @Test(arguments: [[String](), ["--buffer", "200000"]])
    func appendsEqualARebuildTwiceOver(_ extra: [String]) throws {
        // With --buffer 200000 the first round is kept whole and the grown corpus is not.
        let tag = extra.isEmpty ? "a" : "w"
        let grown = try Self.folder("append-\(tag)", rounds: 1)
        let all = Self.corpus.dir.path("append-\(tag)-all.phb")
        try Self.build([grown], extra + ["--appendable", "--threads", "1"], output: all)
        var index = all
        for n in 2...3 {
            _ = try Self.folder("append-\(tag)", rounds: n)
            let part = Self.corpus.dir.path("append-\(tag)-new\(n).phb")
            try Self.build([grown], extra + ["--after", index, "--threads", n == 2 ? "2" : "1"], output: part)
            let appended = Self.corpus.dir.path("append-\(tag)-all\(n).phb")
            let r = try CLI.run(["merge", index, part, "-o", appended])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.hasPrefix("\(appended): appended, "), "\(r.stderr)")
            // The rebuild over old plus new files, on one and on two threads.
            for threads in ["1", "2"] {
                let rebuilt = Self.corpus.dir.path("append-\(tag)-rebuilt\(n)-\(threads).phb")
                try Self.build([grown], extra + ["--appendable", "--threads", threads], output: rebuilt)
                #expect(try Self.bytes(appended) == Self.bytes(rebuilt), "append \(n - 1) (\(extra)) against a rebuild on \(threads) threads")
            }
            index = appended
        }
        // Apart from its append sections, an appendable index is the plain build's.
        let plain = Self.corpus.dir.path("append-\(tag)-plain.phb")
        try Self.build([grown], extra, output: plain)
        let described = try CLI.run(["inspect", index]).stdout, plainDescribed = try CLI.run(["inspect", plain]).stdout
        func checksums(_ text: String) -> [Substring] {
            text.split(separator: "\n").filter { $0.contains("xxh64") && !$0.contains("APND") && !$0.contains("APWN") }
                .map { $0.split(separator: " ").last! }
        }
        #expect(described.contains("APND") && described.contains("APWN"))
        #expect(checksums(described) == checksums(plainDescribed))
        // The appended index answers.
        let q = try CLI.run(["query", index, IndexCommandTests.question, "--json", "--top", "1"])
        #expect(q.status == 0 && q.stdout.contains("Dolores Park"), "\(q.stderr)")
    }

    @Test func badAppendsAreRefusedNamingWhatDiffers() throws {
        let grown = try Self.folder("append-bad", rounds: 1)
        let all = Self.corpus.dir.path("append-bad-all.phb"), plain = Self.corpus.dir.path("append-bad-plain.phb")
        try Self.build([grown], ["--appendable"], output: all)
        try Self.build([grown], [], output: plain)
        _ = try Self.folder("append-bad", rounds: 2)
        let part = Self.corpus.dir.path("append-bad-new.phb")
        try Self.build([grown], ["--after", all], output: part)
        let out = Self.corpus.dir.path("refused.phb")
        func refusedBuild(_ inputs: [String], _ extra: [String], _ message: String, status: Int32 = 65, dna: String = ShardCommandTests.dna) throws {
            try ShardCommandTests.refused(["build"] + inputs + ["-o", out, "--tokenizer", Self.tokenizer, "--quiet", "--dna", dna]
                                          + Self.shape + extra, message, status: status)
        }
        // The index to append to must be appendable; the part built as it was.
        try refusedBuild([grown], ["--after", plain], "\(plain): not an appendable index (built without '--appendable')")
        try refusedBuild([grown], ["--after", part], "\(part): a shard or a part to append, not an appendable index")
        let otherDNA = Self.corpus.dir.path("append-other.dna")
        #expect(try CLI.run(["learn", Self.corpus.tok, "-o", otherDNA, "--tokenizer", Self.tokenizer, "--chunk-len", "4096",
                             "--top-p", "0.8", "--quiet"]).status == 0)
        try refusedBuild([grown], ["--after", all, "--top-p", "0.8"], "\(otherDNA): DNA differs from the one \(all) was built with", dna: otherDNA)
        try refusedBuild([grown], ["--after", all, "--span", "4"], "\(all): parameter '--span' differs (4 against 8 in the index)", status: 64)
        // The inputs: the indexed ones first and unchanged, then new ones.
        try refusedBuild([Self.rounds[1]], ["--after", all], "\(all): input 1 is \(Self.rounds[1]), but the index holds \(grown)/round1.tok there", status: 64)
        try refusedBuild([grown + "/round1.tok"], ["--after", all], "\(all): no new tokens after the 1 inputs", status: 64)
        let touched = try Self.folder("append-touched", rounds: 1)
        let touchedAll = Self.corpus.dir.path("append-touched-all.phb")
        try Self.build([touched], ["--appendable"], output: touchedAll)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000_000)],
                                              ofItemAtPath: touched + "/round1.tok")
        _ = try Self.folder("append-touched", rounds: 2)
        try refusedBuild([touched], ["--after", touchedAll], "\(touched)/round1.tok: changed since \(touchedAll) indexed it")
        try ShardCommandTests.refused(["build", grown, "-o", out, "--tokenizer", Self.tokenizer, "--after", all] + Self.shape,
                                      "'--after' needs '--dna FILE.dna'", status: 64)
        try ShardCommandTests.refused(["build", grown, "-o", out, "--tokenizer", Self.tokenizer, "--appendable"] + Self.shape,
                                      "'--appendable' needs '--dna FILE.dna'", status: 64)
        try refusedBuild([grown], ["--after", all, "--shard", "1/2"], "'--after' cannot be combined with '--shard'", status: 64)

        // The merge: a part appended to the index it was built after, once.
        let appended = Self.corpus.dir.path("append-bad-all2.phb")
        #expect(try CLI.run(["merge", all, part, "-o", appended]).status == 0)
        try ShardCommandTests.refused(["merge", appended, part], "\(part): already appended: \(appended) holds its")
        try ShardCommandTests.refused(["merge", all, part, part], "\(part): given twice: a part is appended once")
        _ = try Self.folder("append-bad", rounds: 3)
        let later = Self.corpus.dir.path("append-bad-new3.phb")
        try Self.build([grown], ["--after", appended], output: later)
        try ShardCommandTests.refused(["merge", all, later], "\(later): built after an index of")
        try ShardCommandTests.refused(["merge", plain, part], "\(plain): not an appendable index")
        try ShardCommandTests.refused(["merge", part], "\(part): a part to append, but no appendable index", status: 64)
        try ShardCommandTests.refused(["merge", all], "\(all): no part to append", status: 64)
        try ShardCommandTests.refused(["merge", "--partial", all, part], "\(all): an appendable index or a part to append: '--partial' joins shards only", status: 64)
        let shards = try ShardCommandTests.shards(Self.corpus.tok, 2, prefix: "append-bad-shard")
        try ShardCommandTests.refused(["merge", all, part, shards[0]], "\(shards[0]): a shard index: 'merge' joins shards, or appends a part")
        // The output onto an input: refused, the input untouched.
        let before = try Self.bytes(all)
        let r = try CLI.run(["merge", all, part, "-o", all])
        #expect(r.status == 73 && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(try Self.bytes(all) == before)
    }
}
