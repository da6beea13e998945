import Testing
import Foundation

/// `encode` over a folder of mixed files, the way ripgrep walks: every text file once, one
/// stderr line per file left out, the list kept in the .tok for `inspect`.
@Suite struct FolderWalkTests {
    static let root = TokenFileCommandTests.root
    static let tokenizer = TokenFileCommandTests.tokenizer

    /// Text (two essays, a nested note), a gzip copy, compiled Python, an image, data with a
    /// NUL byte, links to a
    /// text file and to a folder, a hard link, a bad-UTF-8 text and an ignored log.
    static func mixedFolder() throws -> (TemporaryDirectory, String) {
        let dir = try TemporaryDirectory()
        let docs = dir.path("docs")
        let fm = FileManager.default
        try fm.createDirectory(atPath: docs + "/notes", withIntermediateDirectories: true)
        for name in ["founders.txt", "apple.txt"] where fm.fileExists(atPath: root + "/fixtures/essays/" + name) {
            try fm.copyItem(atPath: root + "/fixtures/essays/" + name, toPath: docs + "/" + name)
        }
        try "a note\n".write(toFile: docs + "/notes/todo.md", atomically: false, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-k", docs + "/notes/todo.md"]
        try gzip.run(); gzip.waitUntilExit()
        try Data([0xA7, 0x0D, 0x0D, 0x0A] + [UInt8](repeating: 0, count: 12) + Array("code".utf8))
            .write(to: URL(fileURLWithPath: docs + "/module.cpython-311.pyc"))
        try fm.copyItem(atPath: root + "/tools/eval/heatmap.png", toPath: docs + "/heatmap.png")
        try Data(Array("ab".utf8) + [0] + Array("cd".utf8)).write(to: URL(fileURLWithPath: docs + "/blob.dat"))
        try fm.createSymbolicLink(atPath: docs + "/GPL", withDestinationPath: "founders.txt")
        try fm.createSymbolicLink(atPath: docs + "/again", withDestinationPath: docs + "/notes")
        try fm.linkItem(atPath: docs + "/notes/todo.md", toPath: docs + "/notes/todo-hardlink.md")
        try Data(Array("caf".utf8) + [0xE9] + Array(" au lait\n".utf8)).write(to: URL(fileURLWithPath: docs + "/latin1.txt"))
        try "*.log\n".write(toFile: docs + "/.gitignore", atomically: false, encoding: .utf8)
        try "debug\n".write(toFile: docs + "/run.log", atomically: false, encoding: .utf8)
        return (dir, docs)
    }

    static func inspectJSON(_ tok: String) throws -> [String: Any] {
        let r = try CLI.run(["inspect", tok, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    }

    @Test func everyTextFileOnceOneLinePerSkippedFile() throws {
        let (dir, docs) = try Self.mixedFolder()
        let tok = dir.path("docs.tok")
        for follow in [false, true] {
            let r = try CLI.run(["encode", docs, "-o", tok, "--tokenizer", Self.tokenizer, "--quiet"] + (follow ? ["--follow"] : []))
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr == """
                proteus-index: \(docs)/blob.dat: skipped: not text (binary data: a NUL byte at byte 2)
                proteus-index: \(docs)/heatmap.png: skipped: not text (a PNG image)
                proteus-index: \(docs)/module.cpython-311.pyc: skipped: not text (compiled Python bytecode)
                proteus-index: \(docs)/notes/todo.md.gz: skipped: not text (a gzip stream)
                proteus-index: \(docs)/latin1.txt: skipped: at byte 3: invalid UTF-8

                """)
            let info = try Self.inspectJSON(tok)
            let names = (info["document_table"] as! [[String: Any]]).map { $0["name"] as! String }
            // The link GPL, the folder link and the hard link add nothing; the .log is ignored.
            // Files that are not text are found first (stderr), the list is kept sorted.
            #expect(names == ["apple.txt", "founders.txt", "notes/todo-hardlink.md"].map { docs + "/" + $0 })
            let skipped = (info["skipped_files"] as! [[String: Any]]).map { $0["path"] as! String }
            #expect(skipped == ["blob.dat", "heatmap.png", "latin1.txt", "module.cpython-311.pyc", "notes/todo.md.gz"]
                .map { docs + "/" + $0 })
        }
        let listed = try CLI.run(["inspect", tok, "--skipped"])
        #expect(listed.stdout.contains("  skipped: 5 file(s) left out by encode:\n    \(docs)/blob.dat: not text (binary data: a NUL byte at byte 2)\n"))
        #expect(try CLI.run(["inspect", tok]).stdout.contains("  skipped: 5 file(s) left out by encode (list them with --skipped)\n"))
        // The .tok is still a plain zstd stream of the tokens.
        let zstd = Process()
        zstd.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        zstd.arguments = ["zstd", "-q", "-t", tok]
        try zstd.run(); zstd.waitUntilExit()
        #expect(zstd.terminationStatus == 0)
    }

    @Test func strictStopsAtTheFirstFileThatIsNotText() throws {
        let (dir, docs) = try Self.mixedFolder()
        // As before --strict existed: a NUL byte is text to the tokenizer, the image stops it.
        let r = try CLI.run(["encode", docs, "-o", dir.path("s.tok"), "--tokenizer", Self.tokenizer, "--strict", "--quiet"])
        #expect(r.status == 65)
        #expect(r.stderr == "proteus-index: \(docs)/heatmap.png: not text (a PNG image)\n")
        #expect(!FileManager.default.fileExists(atPath: dir.path("s.tok")))
        // Named on the command line, a file that is not text is an error, with what to do.
        let named = try CLI.run(["encode", docs + "/notes/todo.md.gz", "-o", dir.path("n.tok"), "--tokenizer", Self.tokenizer])
        #expect(named.status == 65)
        #expect(named.stderr == "proteus-index: \(docs)/notes/todo.md.gz: not text (a gzip stream); decompress it first (gzip -dk)\n")
    }

    @Test func globsChooseFilesAndNoIgnoreTakesIgnoredOnes() throws {
        let (dir, docs) = try Self.mixedFolder()
        let tok = dir.path("g.tok")
        let r = try CLI.run(["encode", docs, "-o", tok, "--tokenizer", Self.tokenizer, "--quiet",
                             "--glob", "*.md", "--glob", "*.log", "--glob", "!*hardlink*", "--no-ignore"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "")
        let names = (try Self.inspectJSON(tok)["document_table"] as! [[String: Any]]).map { $0["name"] as! String }
        #expect(names == [docs + "/notes/todo.md", docs + "/run.log"])
    }

    @Test func aFolderOfMoreFilesThanDescriptorsIsEncoded() throws {
        // Files are checked up front but opened again only when encoded (/usr/share/doc
        // ran out of descriptors when every file was held open).
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path("many"), withIntermediateDirectories: true)
        for i in 0..<300 { try "file \(i)\n".write(toFile: dir.path("many/\(i).txt"), atomically: false, encoding: .utf8) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "ulimit -n 64 && exec \"$@\"", "sh", CLI.executable.path, "encode", dir.path("many"),
                       "-o", dir.path("many.tok"), "--tokenizer", Self.tokenizer, "--quiet"]
        try p.run(); p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect((try Self.inspectJSON(dir.path("many.tok"))["documents"] as? Int) == 300)
    }

    @Test func buildOfATokenFolderTakesTheGlobbedFiles() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path("shards"), withIntermediateDirectories: true)
        try PathSafetyTests.corpus(dir.path("shards/a.u32"), seed: 3)
        try PathSafetyTests.corpus(dir.path("shards/b.u32"), seed: 4)
        try "How these shards were made.\n".write(toFile: dir.path("shards/README.md"), atomically: false, encoding: .utf8)
        let plain = try CLI.run(["build", dir.path("shards"), "-o", dir.path("x.phb"), "--quiet"])
        #expect(plain.status == 65)
        #expect(plain.stderr == "proteus-index: \(dir.path("shards/README.md")): looks like text; tokenize it with `proteus-index encode`\n")
        let globbed = try CLI.run(["build", dir.path("shards"), "--glob", "*.u32", "-o", dir.path("x.phb"), "--json"])
        #expect(globbed.status == 0, "\(globbed.stderr)")
        let stats = try JSONSerialization.jsonObject(with: Data(globbed.stdout.utf8)) as! [String: Any]
        #expect(stats["tokens"] as? Int == 40_000)
    }
}
