import Testing
import Foundation

/// `learn` and `build --dna`: the two-phase build with a frozen DNA, as a user runs it.
@Suite(.serialized) struct DNACommandTests {
    static let corpus = IndexCommandTests.corpus
    static let tokenizer = IndexCommandTests.tokenizer

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    static let dna: String = {
        let path = corpus.dir.path("corpus.dna")
        let r = try! CLI.run(["learn", corpus.tok, "-o", path, "--tokenizer", tokenizer])
        precondition(r.status == 0, r.stderr)
        return path
    }()

    @Test func buildWithTheLearnedDNAEqualsABuildThatLearnsItForAnyThreadCount() throws {
        let plain = Self.corpus.dir.path("plain.phb")
        #expect(try IndexCommandTests.build(["--threads", "2"], output: plain).status == 0)
        for threads in ["1", "2"] {
            let reused = Self.corpus.dir.path("reused-\(threads).phb")
            let r = try IndexCommandTests.build(["--dna", Self.dna, "--threads", threads], output: reused)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(try Self.bytes(reused) == Self.bytes(plain))
        }
        // learn is deterministic too: the same DNA from one thread.
        let again = Self.corpus.dir.path("again.dna")
        let quiet = try CLI.run(["learn", Self.corpus.tok, "-o", again, "--tokenizer", Self.tokenizer, "--threads", "1", "--quiet"])
        #expect(quiet.status == 0 && quiet.stderr == "", "\(quiet.stderr)")
        #expect(try Self.bytes(again) == Self.bytes(Self.dna))
    }

    @Test func aDNAOfAnotherTokenizerIsRefusedInOneLine() throws {
        // The same ids as raw u32 without a tokenizer: a DNA of raw ids.
        let raw = Self.corpus.dir.path("ids.u32")
        #expect(try CLI.run(["convert", Self.corpus.tok, "-o", raw, "--quiet"]).status == 0)
        let rawDNA = Self.corpus.dir.path("raw.dna")
        #expect(try CLI.run(["learn", raw, "-o", rawDNA]).status == 0)
        let out = Self.corpus.dir.path("refused.phb")
        let r = try IndexCommandTests.build(["--dna", rawDNA], output: out)
        #expect(r.status == 64)
        #expect(r.stderr == "proteus-index: \(rawDNA): tokenizer differs: learned from raw ids without a tokenizer, the corpus uses 'cl100k_base'\n")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aLearnedParameterThatDiffersIsNamed() throws {
        let out = Self.corpus.dir.path("chunk.phb")
        let r = try IndexCommandTests.build(["--dna", Self.dna, "--chunk-len", "4096"], output: out)
        #expect(r.status == 64)
        #expect(r.stderr.hasPrefix("proteus-index: \(Self.dna): '--chunk-len' differs: learned with 65536, this build has 4096"))
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out))
        let focus = try IndexCommandTests.build(["--dna", Self.dna, "--focus", "sandwich"], output: out)
        #expect(focus.status == 64)
        #expect(focus.stderr.contains("'--focus' belongs to 'learn'"))
    }

    @Test func aDamagedOrForeignDNAFileIsRefused() throws {
        var damaged = try Self.bytes(Self.dna)
        damaged[damaged.count / 2] ^= 0xFF
        let path = Self.corpus.dir.path("damaged.dna")
        try damaged.write(to: URL(fileURLWithPath: path))
        let out = Self.corpus.dir.path("damaged.phb")
        let r = try IndexCommandTests.build(["--dna", path], output: out)
        #expect(r.status == 65)
        #expect(r.stderr == "proteus-index: \(path): checksum mismatch: the file is damaged\n")
        let foreign = try IndexCommandTests.build(["--dna", Self.corpus.tok], output: out)
        #expect(foreign.status == 65)
        #expect(foreign.stderr.contains("not a .dna file"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
