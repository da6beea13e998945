import Testing
import Foundation

/// A shortened tools/kill_test.sh: `build` over an existing index, killed at random moments
/// and exactly while its temporary output exists, must leave the old index whole, no pile of
/// temporary files, and a next run that succeeds.
@Suite(.serialized) struct CrashSafetyTests {
    static let shared = try! Corpus()

    /// ~150k Zipf-like u32 ids (about 1 s of debug build) and the indexes around them.
    final class Corpus {
        let dir: TemporaryDirectory
        let corpus: String, index: String, old: Data, new: Data
        let buildSeconds: Double

        init() throws {
            dir = try TemporaryDirectory()
            corpus = dir.path("corpus.u32")
            index = dir.path("corpus.phb")
            var state: UInt64 = 42
            var ids = [UInt32](repeating: 0, count: 150_000)
            for i in ids.indices {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let u = Double(state >> 11) / Double(1 << 53)
                ids[i] = UInt32(min(49_999.0, pow(50_000.0, u * u)))  // skewed towards small ids
            }
            try ids.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: corpus))
            let r1 = try CLI.run(["build", corpus, "-o", dir.path("old.phb"), "--buffer", "8192", "--quiet"])
            precondition(r1.status == 0, r1.stderr)
            let started = Date()
            let r2 = try CLI.run(["build", corpus, "-o", dir.path("new.phb"), "--quiet"])
            precondition(r2.status == 0, r2.stderr)
            buildSeconds = Date().timeIntervalSince(started)
            old = try Data(contentsOf: URL(fileURLWithPath: dir.path("old.phb")))
            new = try Data(contentsOf: URL(fileURLWithPath: dir.path("new.phb")))
            precondition(old != new)
        }

        func temporaryFiles() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: dir.url.path)) ?? [])
                .filter { $0.hasPrefix(".corpus.phb.proteus-tmp-") }
        }

        func restoreOld() throws { try old.write(to: URL(fileURLWithPath: index)) }

        func indexBytes() throws -> Data { try Data(contentsOf: URL(fileURLWithPath: index)) }

        func spawnBuild() throws -> Process {
            let p = Process()
            p.executableURL = CLI.executable
            p.arguments = ["build", corpus, "-o", index, "--quiet"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }

        /// Sends `signal` as soon as this process's temporary output appears (or at the end).
        func signalDuringWrite(_ p: Process, _ signal: Int32) -> Bool {
            let mark = ".proteus-tmp-\(p.processIdentifier)-"
            let deadline = Date().addingTimeInterval(buildSeconds * 5 + 5)
            while p.isRunning && Date() < deadline {
                if temporaryFiles().contains(where: { $0.contains(mark) }) {
                    kill(p.processIdentifier, signal)
                    return true
                }
            }
            if p.isRunning { kill(p.processIdentifier, signal) }
            return false
        }

        /// Waits for the killed build; a build that outlives its signal by a minute is a hang.
        /// The bound is generous because a build inside fsync cannot die before the disk
        /// answers, which on a loaded CI machine takes seconds; a deadlock never ends. A hang
        /// is reported with each thread's state and kernel wait channel, to tell the two apart.
        /// `build` is the build's pid when `p` is a shell that runs it.
        func waitOrFail(_ p: Process, build: Int32? = nil) {
            let deadline = Date().addingTimeInterval(max(60, buildSeconds * 20))
            while p.isRunning && Date() < deadline { usleep(10_000) }
            if p.isRunning {
                let pid = build ?? p.processIdentifier
                let threads = Self.threadStates(pid)
                kill(pid, SIGKILL)
                kill(p.processIdentifier, SIGKILL)
                Issue.record("build \(pid) hung after its signal; threads: \(threads)")
            }
            p.waitUntilExit()
        }

        /// "TID STATE WCHAN" for each thread of `pid`, from /proc.
        static func threadStates(_ pid: Int32) -> String {
            let tasks = "/proc/\(pid)/task"
            let ids = ((try? FileManager.default.contentsOfDirectory(atPath: tasks)) ?? []).sorted()
            return ids.map { tid -> String in
                let stat = (try? String(contentsOfFile: "\(tasks)/\(tid)/stat", encoding: .utf8)) ?? ""
                let state = stat.split(separator: ")").last?.split(separator: " ").first ?? "?"
                let wchan = (try? String(contentsOfFile: "\(tasks)/\(tid)/wchan", encoding: .utf8)) ?? "?"
                return "\(tid) \(state) \(wchan)"
            }.joined(separator: ", ")
        }

        func expectIndexIntact(_ round: String) throws {
            let bytes = try indexBytes()
            #expect(bytes == old || bytes == new, "\(round): index is neither the old one nor a complete build")
            let v = try CLI.run(["inspect", "--verify", index])
            #expect(v.status == 0, "\(round): \(v.stderr)")
        }
    }

    @Test func sigkillLeavesTheOldIndexAndTheNextRunSweepsTheTemporaryFile() throws {
        let c = Self.shared
        try c.restoreOld()
        var random = SystemRandomNumberGenerator()
        for round in 0..<5 {
            let p = try c.spawnBuild()
            if round % 2 == 1 {
                #expect(c.signalDuringWrite(p, SIGKILL), "round \(round): never saw the temporary output")
            } else {
                usleep(UInt32(Double.random(in: 0...(c.buildSeconds * 1.1), using: &random) * 1_000_000))
                kill(p.processIdentifier, SIGKILL)
            }
            c.waitOrFail(p)
            try c.expectIndexIntact("round \(round)")
            #expect(c.temporaryFiles().count <= 1, "round \(round): \(c.temporaryFiles())")
            if try c.indexBytes() == c.new { try c.restoreOld() }
        }
        // Kill once more inside the write so a stale file certainly exists, then run to the end.
        let p = try c.spawnBuild()
        #expect(c.signalDuringWrite(p, SIGKILL))
        c.waitOrFail(p)
        #expect(c.temporaryFiles().count == 1)
        let r = try CLI.run(["build", c.corpus, "-o", c.index, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try c.indexBytes() == c.new)
        #expect(c.temporaryFiles() == [])
    }

    @Test func sigintDuringTheWriteRemovesTheTemporaryFile() throws {
        let c = Self.shared
        for round in 0..<2 {
            try c.restoreOld()
            let p = try c.spawnBuild()
            #expect(c.signalDuringWrite(p, SIGINT), "round \(round): never saw the temporary output")
            c.waitOrFail(p)
            #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGINT, "\(p.terminationReason.rawValue) \(p.terminationStatus)")
            #expect(c.temporaryFiles() == [], "round \(round)")
            try c.expectIndexIntact("SIGINT round \(round)")
        }
    }

    @Test func ctrlCSaysNothingWasWrittenAndTheShellSees130() throws {
        let c = Self.shared
        try c.restoreOld()
        // Through a shell, as a user runs it: the shell reports the status of the signal.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "\"$@\"; echo \"status $?\" >&2", "sh", CLI.executable.path, "build", c.corpus, "-o", c.index, "--quiet"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        // The build's pid is in its temporary file's name: .corpus.phb.proteus-tmp-PID-RANDOM.
        let deadline = Date().addingTimeInterval(c.buildSeconds * 5 + 5)
        var build: Int32? = nil
        while build == nil && p.isRunning && Date() < deadline {
            for name in c.temporaryFiles() {
                let rest = name.dropFirst(".corpus.phb.proteus-tmp-".count)
                if let pid = rest.split(separator: "-").first.flatMap({ Int32($0) }), kill(pid, SIGINT) == 0 { build = pid }
            }
        }
        // Wait before reading: a hung build would hold the pipe open and the read never end.
        c.waitOrFail(p, build: build)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(build != nil, "never saw the temporary output")
        #expect(stderr == "proteus-index: interrupted; nothing was written\nstatus 130\n")
        #expect(try c.indexBytes() == c.old)
        #expect(c.temporaryFiles() == [])
    }

    @Test func sigintBeforeAnyOutputExitsPromptly() throws {
        // Also a regression test: spawned by Foundation's Process from a test thread, the
        // build used to inherit a blocked SIGINT and run to completion.
        let c = Self.shared
        try c.restoreOld()
        let p = try c.spawnBuild()
        usleep(UInt32(c.buildSeconds * 300_000))
        kill(p.processIdentifier, SIGINT)
        c.waitOrFail(p)
        #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGINT, "\(p.terminationReason.rawValue) \(p.terminationStatus)")
        #expect(try c.indexBytes() == c.old)
        #expect(c.temporaryFiles() == [])
    }
}
