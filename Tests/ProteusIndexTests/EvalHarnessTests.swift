import Foundation
import Testing

/// Keeps the Python evaluation suite (tools/eval) from rotting: its unit tests run on every
/// `swift test`, and a small end-to-end run drives the release binary when one exists.
/// Without python3 and its packages the tests show as skipped (`.enabled(if:)`); once they
/// run, any failure of the harness, including a binary that lacks part of its contract, fails.
@Suite struct EvalHarnessTests {
    /// Repository root: this file is Tests/ProteusIndexTests/EvalHarnessTests.swift.
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    struct Outcome {
        var status: Int32
        var output: String
    }

    /// Runs `arguments` through /usr/bin/env in the repository root, stdout and stderr merged.
    static func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = repo
        var env = ProcessInfo.processInfo.environment
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        for (k, v) in extra { env[k] = v }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // Drain before waiting so a chatty child cannot fill the pipe and block.
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// Why the Python side cannot run here, or nil when python3, pytest, tiktoken, numpy and
    /// matplotlib are all importable.
    static func pythonMissing() -> String? {
        guard let probe = try? run(["python3", "-c", "import pytest, tiktoken, numpy, matplotlib"]) else {
            return "python3 is not installed"
        }
        if probe.status == 127 { return "python3 is not installed" }
        if probe.status != 0 {
            let last = probe.output.split(separator: "\n").last.map(String.init) ?? "import failed"
            return "python prerequisites missing (\(last))"
        }
        return nil
    }

    static let pythonReady = pythonMissing() == nil

    /// The binary the end-to-end run drives: PROTEUS_EVAL_BINARY, the release binary when
    /// there is one, else the one `swift test` built beside this test bundle (slower, but a
    /// 1M-token case is small), so the harness runs in CI too.
    static let binary: String? = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let release = repo.appendingPathComponent(".build/release/proteus-index").path
        let debug = beside.appendingPathComponent("proteus-index").path
        let candidates = [ProcessInfo.processInfo.environment["PROTEUS_EVAL_BINARY"], release, debug].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    @Test(.enabled(if: pythonReady, "needs python3 with pytest, tiktoken, numpy and matplotlib (tools/install-deps.sh)"))
    func pythonUnitTestsPass() throws {
        let r = try Self.run(["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tools/eval/tests"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains(" passed"))
    }

    /// One multikey case through every kind of method (ours, a `--keep-positions` baseline, BM25) with
    /// the built binary; the full `--quick` run when PROTEUS_EVAL_QUICK=1. Exit status 3 (the
    /// binary lacks part of the contract) fails like any other: the binary is this tree's.
    @Test(.enabled(if: pythonReady, "needs python3 with pytest, tiktoken, numpy and matplotlib (tools/install-deps.sh)"),
          .enabled(if: binary != nil, "no proteus-index binary (run `swift build` or set PROTEUS_EVAL_BINARY)"))
    func endToEndRunWithTheBuiltBinary() throws {
        let env = ProcessInfo.processInfo.environment
        let binary = try #require(Self.binary)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("proteus-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        var arguments = ["python3", "tools/eval/run.py", "--quick", "--no-build", "--binary", binary,
                         "--scratch", out.path, "--out", out.appendingPathComponent("RESULTS.md").path]
        if env["PROTEUS_EVAL_QUICK"] != "1" {
            arguments += ["--depths", "0.5", "--tasks", "multikey", "--methods", "proteus,stride,bm25", "--no-perf"]
        }
        let r = try Self.run(arguments)
        #expect(r.status == 0, "\(r.output)")
        let results = try String(contentsOf: out.appendingPathComponent("RESULTS.md"), encoding: .utf8)
        #expect(results.contains("## Goals"))
        #expect(results.contains("| proteus | "))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("heatmap.png").path))
    }
}
