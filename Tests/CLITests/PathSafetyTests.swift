import Testing
import Foundation

/// Outputs never follow a symlink onto an input, and `build --each OUTDIR` never writes
/// outside OUTDIR whatever the input names are.
@Suite struct PathSafetyTests {
    static func corpus(_ path: String, seed: UInt64) throws {
        var state = seed
        let ids = (0..<20_000).map { _ -> UInt32 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt32(state >> 33) % 5000
        }
        try ids.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: path))
    }

    static func listing(_ dir: String) -> [String] {
        (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []).sorted()
    }

    @Test func outputThatIsASymlinkToTheInputIsRefused() throws {
        let dir = try TemporaryDirectory()
        try Self.corpus(dir.path("c.u32"), seed: 1)
        let before = try Data(contentsOf: URL(fileURLWithPath: dir.path("c.u32")))
        try FileManager.default.createSymbolicLink(atPath: dir.path("out.phb"), withDestinationPath: "c.u32")
        let r = try CLI.run(["build", dir.path("c.u32"), "-o", dir.path("out.phb"), "--quiet"])
        #expect(r.status == 73)
        #expect(r.stderr == "proteus-index: \(dir.path("out.phb")): output path is also an input; choose another output\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("c.u32"))) == before)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir.path("out.phb")) == "c.u32")
        #expect(Self.listing(dir.url.path) == ["c.u32", "out.phb"])
    }

    @Test func outputSymlinkElsewhereIsReplacedNotFollowed() throws {
        let dir = try TemporaryDirectory()
        try Self.corpus(dir.path("c.u32"), seed: 2)
        try Data("precious".utf8).write(to: URL(fileURLWithPath: dir.path("precious.txt")))
        try FileManager.default.createSymbolicLink(atPath: dir.path("out.phb"), withDestinationPath: "precious.txt")
        let r = try CLI.run(["build", dir.path("c.u32"), "-o", dir.path("out.phb"), "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try String(contentsOfFile: dir.path("precious.txt"), encoding: .utf8) == "precious")
        let type = try FileManager.default.attributesOfItem(atPath: dir.path("out.phb"))[.type] as? FileAttributeType
        #expect(type == .typeRegular)
        #expect(try CLI.run(["inspect", "--verify", dir.path("out.phb")]).status == 0)
    }

    @Test func eachNeverWritesOutsideItsFolder() throws {
        let dir = try TemporaryDirectory()
        let inputs = dir.path("in"), out = dir.path("in/deep/out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let names = ["..u32", ".hidden.u32", "...u32", "a..u32", "-dash.u32", "sp ace.u32"]
        for (i, name) in names.enumerated() { try Self.corpus(inputs + "/" + name, seed: UInt64(10 + i)) }
        // A pre-existing symlink where an output goes, pointing outside OUTDIR.
        try Data("outside".utf8).write(to: URL(fileURLWithPath: dir.path("outside.phb")))
        try FileManager.default.createSymbolicLink(atPath: out + "/a..phb", withDestinationPath: "../../../outside.phb")
        let before = Self.listing(dir.url.path).filter { !$0.hasPrefix("in/deep/out/") }
        // Inputs named through "..": the output name is only ever the last component.
        let paths = names.map { inputs + "/deep/../" + $0 }
        let r = try CLI.run(["build"] + paths + ["--each", out, "--format", "raw-u32", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.listing(dir.url.path).filter { !$0.hasPrefix("in/deep/out/") } == before)
        #expect(try String(contentsOfFile: dir.path("outside.phb"), encoding: .utf8) == "outside")
        let written = Self.listing(out)
        #expect(written == ["-dash.phb", "_...phb", "_..phb", "_.hidden.phb", "a..phb", "sp ace.phb"])
        for name in written {
            let type = try FileManager.default.attributesOfItem(atPath: out + "/" + name)[.type] as? FileAttributeType
            #expect(type == .typeRegular, "\(name)")
        }
    }
}
