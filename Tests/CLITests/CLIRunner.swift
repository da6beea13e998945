import Foundation
import TestSupport

/// Runs the built `proteus-index` binary, as a user would, and captures what it prints.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
    /// Standard output as bytes (binary outputs such as `-o /dev/stdout`).
    var stdoutBytes = Data()
}

enum CLI {
    /// The executable SwiftPM built beside the test bundle.
    static let executable: URL = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [bundle.appendingPathComponent("proteus-index")]
        candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("proteus-index"))
        for c in candidates where FileManager.default.isExecutableFile(atPath: c.path) { return c }
        // `swift test` puts the test binary in .build/<config>/; fall back to the debug folder.
        return bundle.appendingPathComponent("proteus-index")
    }()

    /// A tool that refuses its input early closes the pipe while the rest is still being
    /// written, as `cat x.phb | proteus-index inspect -` does to `cat`: the write must fail
    /// (EPIPE), not kill the test process with SIGPIPE.
    private static let brokenPipesIgnored: Void = { signal(SIGPIPE, SIG_IGN) }()

    @discardableResult
    static func run(_ arguments: [String], stdin: Data? = nil, in directory: URL? = nil) throws -> CLIResult {
        _ = brokenPipesIgnored
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        // Feed stdin and drain both pipes concurrently so large outputs cannot deadlock.
        let group = DispatchGroup()
        final class Captured: @unchecked Sendable { var out = Data(), err = Data() }  // written before group.wait()
        let captured = Captured()
        DispatchQueue.global().async(group: group) { captured.out = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { captured.err = err.fileHandleForReading.readDataToEndOfFile() }
        if let stdin { try? input.fileHandleForWriting.write(contentsOf: stdin) }
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        return CLIResult(status: process.terminationStatus,
                         stdout: String(decoding: captured.out, as: UTF8.self),
                         stderr: String(decoding: captured.err, as: UTF8.self), stdoutBytes: captured.out)
    }
}

/// A fresh temporary folder, removed when the value goes away, or when the test process
/// exits for one a suite's static holds (a static is never released: the shared corpus of
/// `IndexCommandTests` left 795 MB in $TMPDIR after every run).
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("proteus-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        FoldersRemovedAtExit.register(url.path)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}
