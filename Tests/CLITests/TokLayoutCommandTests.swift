import Testing
import Foundation

/// `inspect` tells the two seek-table layouts apart and `convert` rewrites an old file into the
/// new one; a seek table that lists a data frame as skippable is one line and exit 65.
@Suite struct TokLayoutCommandTests {
    /// Written by the format-1 writer: 600 u32 tokens in 5 frames of 128, codec none.
    static let oldFile = TokenFileCommandTests.root + "/fixtures/fuzz/tok/a.none.tok"

    static func copyOldFile(into dir: TemporaryDirectory) throws -> String {
        let path = dir.path("old.tok")
        try FileManager.default.copyItem(atPath: oldFile, toPath: path)
        return path
    }

    static func u32(_ d: Data, _ at: Int) -> UInt32 { d.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt32.self) } }

    @Test func inspectNamesTheOldLayoutAndTheFix() throws {
        let dir = try TemporaryDirectory()
        let old = try Self.copyOldFile(into: dir)
        let r = try CLI.run(["inspect", old])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\n  codec: none, 5 data frames of 128 tokens, format version 1\n"))
        #expect(r.stdout.contains("\n  seek table: data frames only (5 entries, the old layout), zstd seekable readers cannot seek it; 'proteus-index convert FILE -o NEW.tok' rewrites it\n"))
        let j = try CLI.run(["inspect", old, "--json"])
        #expect(j.stdout.contains("\"seek_table_layout\": \"data-frames-only\"") && j.stdout.contains("\"seek_table_entries\": 5"))
    }

    @Test func convertKeepsCodecAndFramesAndWritesTheNewLayout() throws {
        let dir = try TemporaryDirectory()
        let old = try Self.copyOldFile(into: dir)
        let before = try Data(contentsOf: URL(fileURLWithPath: old))
        let c = try CLI.run(["convert", old, "-o", dir.path("new.tok"), "--quiet"])
        #expect(c.status == 0 && c.stderr.isEmpty, "\(c.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: old)) == before, "the input is never modified")
        let r = try CLI.run(["inspect", dir.path("new.tok"), "--verify"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\n  codec: none, 5 data frames of 128 tokens, format version 2\n"))
        #expect(r.stdout.contains("\n  seek table: every frame listed (7 entries: metadata, 5 data, documents), zstd seekable readers can seek it\n"))
        let u = try CLI.run(["convert", dir.path("new.tok"), "-o", dir.path("new.u32")])
        let v = try CLI.run(["convert", old, "-o", dir.path("old.u32")])
        #expect(u.status == 0 && v.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("new.u32"))) == Data(contentsOf: URL(fileURLWithPath: dir.path("old.u32"))))
    }

    @Test func dataFrameListedAsSkippableIsOneLineAndExit65() throws {
        let dir = try TemporaryDirectory()
        let good = dir.path("good.tok")
        #expect(try CLI.run(["convert", Self.oldFile, "-o", good, "--quiet"]).status == 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        let entries = Int(Self.u32(bytes, bytes.count - 9)), table = bytes.count - 17 - 12 * entries
        // Data frame 2 is entry 3; it starts where entries 0...2 end.
        let frame2 = (0..<3).reduce(0) { $0 + Int(Self.u32(bytes, table + 8 + 12 * $1)) }
        bytes.replaceSubrange((table + 8 + 36 + 4)..<(table + 8 + 36 + 8), with: [0, 0, 0, 0])
        let bad = dir.path("bad.tok")
        try bytes.write(to: URL(fileURLWithPath: bad))
        let line = "proteus-index: \(bad): frame 2 at byte \(frame2): seek table entry 3 lists it as a skippable frame (0 decompressed bytes), but it is data frame 2 of 5\n"
        for arguments in [["inspect", bad, "--verify"], ["convert", bad, "-o", dir.path("out.tok")]] {
            let r = try CLI.run(arguments)
            #expect(r.status == 65 && r.stdout.isEmpty && r.stderr == line, "\(arguments): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.tok")), "no partial output")
        #expect(try Data(contentsOf: URL(fileURLWithPath: bad)) == bytes, "the input is never modified")
    }

    @Test func convertOptionsAreCheckedBeforeAnyInputIsRead() throws {
        let dir = try TemporaryDirectory()
        for (option, value, message) in [("--codec", "brotli", "'--codec' must be zstd, lz4 or none, not 'brotli'"),
                                         ("--frame-tokens", "0", "'--frame-tokens' must be positive")] {
            let r = try CLI.run(["convert", dir.path("missing.tok"), "-o", dir.path("out.tok"), option, value])
            #expect(r.status == 64 && r.stderr == "proteus-index: \(message)\n", "\(r.stderr)")
        }
    }
}

