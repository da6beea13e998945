import Testing
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Pipes and FIFOs given as inputs (`<(command)` in a shell is /dev/fd/N, a pipe) are read
/// once as a stream, like `-`: same tokens as the file, compressed streams detected.
@Suite struct PipeInputTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let tokenizer = root + "/fixtures/tokenizers/cl100k_base.tiktoken"

    /// A FIFO in `dir` fed by `shell` (which writes to "$FIFO") while `arguments` run.
    static func runFeeding(_ dir: TemporaryDirectory, _ shell: String, _ arguments: (String) -> [String]) throws -> CLIResult {
        let fifo = dir.path("feed")
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = ["-c", shell]
        writer.environment = ["FIFO": fifo, "PATH": "/usr/bin:/bin"]
        try writer.run()
        let r = try CLI.run(arguments(fifo))
        writer.waitUntilExit()
        return r
    }

    /// Little-endian u32 ids, deterministic.
    static func tokens(_ dir: TemporaryDirectory) throws -> String {
        let path = dir.path("t.u32")
        var ids = [UInt32](), x: UInt32 = 12345
        for _ in 0..<300_000 { x = x &* 1_664_525 &+ 1_013_904_223; ids.append(x % 50_000) }
        try ids.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: path)) }
        return path
    }

    @Test(arguments: ["cat", "zstd -q -c", "lz4 -q -c"])
    func aPipeGivesTheSameTokensAsTheFile(writer: String) throws {
        let dir = try TemporaryDirectory()
        let source = try Self.tokens(dir), out = dir.path("out.u32")
        let r = try Self.runFeeding(dir, "\(writer) '\(source)' > \"$FIFO\"") { ["convert", $0, "-o", out, "--quiet"] }
        #expect(r.status == 0, "\(r.stderr)")
        let written = try Data(contentsOf: URL(fileURLWithPath: out)), original = try Data(contentsOf: URL(fileURLWithPath: source))
        #expect(written == original)
    }

    @Test func textThroughAPipeEncodesLikeTheFile() throws {
        let dir = try TemporaryDirectory()
        let text = Self.root + "/fixtures/text/mixed.txt"
        let fromFile = dir.path("file.tok"), fromPipe = dir.path("pipe.tok")
        #expect(try CLI.run(["encode", text, "-o", fromFile, "--tokenizer", Self.tokenizer, "--quiet"]).status == 0)
        let r = try Self.runFeeding(dir, "cat '\(text)' > \"$FIFO\"") { ["encode", $0, "-o", fromPipe, "--tokenizer", Self.tokenizer, "--quiet"] }
        #expect(r.status == 0, "\(r.stderr)")
        let a = try CLI.run(["decode", fromFile, "--tokenizer", Self.tokenizer])
        let b = try CLI.run(["decode", fromPipe, "--tokenizer", Self.tokenizer])
        let original = try String(contentsOfFile: text, encoding: .utf8)
        #expect(a.status == 0 && a.stdout == original)
        #expect(b.stdout == a.stdout)
    }

    @Test func aBadStreamInAPipeIsNamedInTheError() throws {
        let dir = try TemporaryDirectory()
        let r = try Self.runFeeding(dir, "printf '12 34 x5' > \"$FIFO\"") {
            ["convert", $0, "--stdin-format", "text", "-o", dir.path("o.u32"), "--quiet"]
        }
        #expect(r.status == 65)
        #expect(r.stderr == "proteus-index: \(dir.path("feed")): at byte 6: 'x5' is not a token id\n")
        #expect(!FileManager.default.fileExists(atPath: dir.path("o.u32")))
    }

    @Test func buildFromAPipeNeedsAnOutputAndCannotUseEach() throws {
        let dir = try TemporaryDirectory()
        let fifo = dir.path("feed")
        #expect(mkfifo(fifo, 0o600) == 0)
        // Both are refused before the pipe is opened (no writer needed).
        let noOutput = try CLI.run(["build", fifo])
        #expect(noOutput.status == 64)
        #expect(noOutput.stderr == "proteus-index: '-o/--output' is needed when reading standard input, a pipe or several inputs\n")
        let each = try CLI.run(["build", fifo, "--each", dir.path("out")])
        #expect(each.status == 64)
        #expect(each.stderr == "proteus-index: \(fifo): '--each' needs files, not a pipe\n")
    }
}
