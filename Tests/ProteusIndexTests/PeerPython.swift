import Foundation
import Testing

/// Runs the scripts of tools/reference with python3 and the real peer packages that
/// tools/install-deps.sh installs (numpy, pyzstd, megatron-core with the CPU torch). Tests
/// that need a package are `.enabled(if:)` its probe, so a missing one shows as skipped.
enum PeerPython {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static let numpy = has(["numpy"])
    static let pyzstd = has(["pyzstd"])
    static let megatronCore = has(["megatron", "torch", "numpy"])

    /// Whether python3 finds every top-level package (found, not imported: megatron's import takes seconds).
    static func has(_ packages: [String]) -> Bool {
        let probe = "import importlib.util as u, sys; sys.exit(0 if all(u.find_spec(p) for p in sys.argv[1:]) else 1)"
        return (try? run(["-c", probe] + packages).status) == 0
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Runs python3 with `arguments`; stdout and stderr are drained together so neither can fill up.
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + arguments
        var env = ProcessInfo.processInfo.environment
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        final class Box: @unchecked Sendable { var data = Data() } // written before group.wait()
        let errors = Box(), group = DispatchGroup()
        DispatchQueue.global().async(group: group) { errors.data = err.fileHandleForReading.readDataToEndOfFile() }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        group.wait()
        return (p.terminationStatus, output, String(decoding: errors.data, as: UTF8.self))
    }

    /// Runs tools/reference/`script` on `spec` (written as JSON into `folder`) and returns the
    /// JSON object it prints; a failing script throws with its stderr.
    static func json(_ script: String, spec: [String: Any], folder: String) throws -> [String: Any] {
        let specPath = folder + "/spec.json"
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: specPath))
        let r = try run([repository + "/tools/reference/" + script, specPath])
        guard r.status == 0, let object = try? JSONSerialization.jsonObject(with: r.stdout) as? [String: Any] else {
            throw Failure(description: "\(script) exited \(r.status): \(r.stderr)")
        }
        return object
    }
}
