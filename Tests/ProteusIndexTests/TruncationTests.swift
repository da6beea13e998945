import Testing
import Foundation
@testable import ProteusIndex

/// A corpus truncated while it is mapped: reading the lost pages would raise SIGBUS and kill
/// the process, so it must fail with a clear error instead. Between two windows the reader's
/// check sees it (`MappedFile.checkNotTruncated`); during a window the SIGBUS handler of
/// `ProcessSignals` reports the same message.
@Suite struct TruncationTests {
    @Test(arguments: [TokenWidth.u32, .u16])
    func rawFileTruncatedBetweenWindows(width: TokenWidth) throws {
        let dir = try TokTestSupport.temporaryFolder("shrink")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/c.raw"
        let tokens = TokTestSupport.tokens(1_000_000, limit: 60_000, seed: 11)
        try TokTestSupport.bytes(tokens, width: width).write(to: URL(fileURLWithPath: path))
        let source = try RawTokenFile(path: path, width: width)
        #expect(source.isMapped)
        let cursor = try source.makeCursor()
        #expect(Array(try cursor.read(start: 0, count: 65_536)) == Array(tokens[0..<65_536]))
        #expect(truncate(path, 4096) == 0)
        let m = TokTestSupport.failure { _ = try cursor.read(start: 500_000, count: 65_536) }
        #expect(m == "\(path): file shrank from \(1_000_000 * width.byteCount) to 4096 bytes while being read")
    }

    @Test func tokFileTruncatedBetweenFrames() throws {
        let dir = try TokTestSupport.temporaryFolder("shrink")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tokens = TokTestSupport.tokens(10_000, seed: 12)
        let path = try TokTestSupport.writeTok(dir + "/c.tok", codec: .zstd, documents: [("d", tokens)])
        let tok = try TokFile(path: path)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        let cursor = try tok.makeCursor()
        #expect(Array(try cursor.read(start: 0, count: 1000)) == Array(tokens[0..<1000]))
        #expect(truncate(path, off_t(tok.frameOffsets[2])) == 0)
        let m = TokTestSupport.failure { _ = try cursor.read(start: 8000, count: 1000) }
        #expect(m == "\(path): file shrank from \(size) to \(tok.frameOffsets[2]) bytes while being read")
    }

    /// The race the check cannot close: the file shrinks while a window's pages are being
    /// read. A forked child touches a page past the new end; the handler must print the
    /// one-line message for the mapped file and exit 65 instead of dying of SIGBUS.
    @Test func truncatedDuringAWindowIsReportedByTheSIGBUSHandler() throws {
        let dir = try TokTestSupport.temporaryFolder("sigbus")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/c.raw"
        try Data(repeating: 7, count: 1 << 20).write(to: URL(fileURLWithPath: path))
        let map = try MappedFile(SystemFile(openForReading: path))
        ProcessSignals.install(programName: "proteus-index")
        // Everything the child needs is made before fork: after it, only C calls.
        let cPath = strdup(path)!
        defer { free(cPath) }
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let page = map.bytes.baseAddress! + (1 << 19)
        let child = fork()
        if child == 0 {
            TemporaryFiles.forgetInForkedChild() // the parent's tests are writing theirs
            dup2(ends[1], 2)
            _ = truncate(cPath, 4096)
            let value = page.load(as: UInt8.self) // SIGBUS: the page is past the new end
            _exit(Int32(value))
        }
        close(ends[1])
        // The message is far smaller than a pipe's buffer: read it once the child is gone.
        let status = try #require(Self.exitStatus(of: child), "the child hung in the SIGBUS handler")
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        _ = fcntl(ends[0], F_SETFL, O_NONBLOCK)
        while true {
            let n = read(ends[0], &chunk, chunk.count)
            if n <= 0 { break }
            output += chunk[0..<n]
        }
        close(ends[0])
        #expect(status & 0x7F == 0, "the child died of signal \(status & 0x7F)")
        #expect((status >> 8) & 0xFF == 65)
        #expect(String(decoding: output, as: UTF8.self)
                == "proteus-index: \(path): file shrank from \(1 << 20) to 4096 bytes while being read\n")
    }

    /// A SIGBUS outside every mapping is a bug, not bad input: it must still crash.
    @Test func aSIGBUSOutsideMappingsStillCrashes() throws {
        ProcessSignals.install(programName: "proteus-index")
        let child = fork()
        if child == 0 {
            TemporaryFiles.forgetInForkedChild()
            close(2)
            raise(SIGBUS)
            _exit(0)
        }
        let status = try #require(Self.exitStatus(of: child), "the child hung in the SIGBUS handler")
        #expect(status & 0x7F == SIGBUS)
    }

    /// The child's wait status, or nil (and the child killed) when it has not ended within a
    /// minute: a handler that deadlocks must fail the test, not hang the suite.
    static func exitStatus(of child: pid_t) -> Int32? {
        var status: Int32 = 0
        for _ in 0..<6_000 {
            if waitpid(child, &status, WNOHANG) == child { return status }
            usleep(10_000)
        }
        kill(child, SIGKILL)
        _ = waitpid(child, &status, 0)
        return nil
    }
}
