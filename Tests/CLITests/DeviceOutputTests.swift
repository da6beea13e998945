import Testing
import Foundation

/// `-o` onto a character device or FIFO writes through it and never replaces the node; a
/// directory, socket or block device is refused (73). As root (CI runs as root) replacing
/// would turn /dev/null into a regular file, so the nodes are made with mknod in a
/// temporary folder and checked afterwards: same kind, same device number. Without root
/// these tests are reported as skipped.
@Suite(.serialized, .enabled(if: getuid() == 0, "mknod needs root"))
struct DeviceOutputTests {
    static let tokenizer = TokenFileCommandTests.tokenizer
    static let text = TokenFileCommandTests.mixed

    /// A folder with a small corpus, its index built the ordinary way, and helpers for nodes.
    final class Scratch {
        let dir: TemporaryDirectory
        let corpus: String
        init() throws {
            dir = try TemporaryDirectory()
            corpus = dir.path("c.u32")
            try PathSafetyTests.corpus(corpus, seed: 7)
        }
        func path(_ name: String) -> String { dir.path(name) }

        /// `mknod -m 666 NAME c|b MAJOR MINOR` in the folder.
        func node(_ name: String, _ type: String, _ major: Int, _ minor: Int) throws -> String {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["mknod", "-m", "666", path(name), type, "\(major)", "\(minor)"]
            try p.run(); p.waitUntilExit()
            precondition(p.terminationStatus == 0, "mknod \(name) failed")
            return path(name)
        }

        func fifo(_ name: String) -> String {
            precondition(mkfifo(path(name), 0o644) == 0, "mkfifo \(name) failed")
            return path(name)
        }

        /// Kind and device number, read without following links.
        func identity(_ path: String) -> (type: mode_t, rdev: UInt64) {
            var st = stat()
            precondition(lstat(path, &st) == 0, "\(path) is gone")
            return (st.st_mode & S_IFMT, UInt64(st.st_rdev))
        }

        func reference() throws -> Data {
            let r = try CLI.run(["build", corpus, "-o", path("reference.phb"), "--quiet"])
            precondition(r.status == 0, r.stderr)
            return try Data(contentsOf: URL(fileURLWithPath: path("reference.phb")))
        }
    }

    /// glibc's makedev for small numbers.
    static func device(_ major: UInt64, _ minor: UInt64) -> UInt64 { major << 8 | minor }

    /// Reads a FIFO to its end on another thread while `body` writes it.
    static func draining(_ fifo: String, _ body: () throws -> CLIResult) throws -> (CLIResult, Data) {
        final class Box: @unchecked Sendable { var data = Data() }  // written before group.wait()
        let box = Box(), group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            box.data = FileHandle(forReadingAtPath: fifo)?.readDataToEndOfFile() ?? Data()
        }
        let result = try body()
        // A run that failed before opening the FIFO leaves the reader waiting in open():
        // open and close the writing end once so it sees the end.
        let unblock = open(fifo, O_WRONLY | O_NONBLOCK)
        if unblock >= 0 { close(unblock) }
        group.wait()
        return (result, box.data)
    }

    @Test func everyWriterWritesThroughACharacterDevice() throws {
        let s = try Scratch()
        let null = try s.node("fakenull", "c", 1, 3)
        let pack = try s.node("pack.json", "c", 1, 3)  // --emit chooses the format by extension
        let commands: [[String]] = [
            ["build", s.corpus, "-o", null, "--quiet"],
            ["convert", s.corpus, "-o", null, "--quiet"],
            ["encode", Self.text, "-o", null, "--tokenizer", Self.tokenizer, "--quiet"],
        ]
        for command in commands {
            let r = try CLI.run(command)
            #expect(r.status == 0, "\(command[0]): \(r.stderr)")
            #expect(s.identity(null) == (S_IFCHR, Self.device(1, 3)), "\(command[0]) replaced the node")
        }
        let index = s.path("q.phb")
        let b = try CLI.run(["build", s.corpus, "-o", index, "--quiet"])
        #expect(b.status == 0, "\(b.stderr)")
        let q = try CLI.run(["query", index, "--query-ids", "1,2,3", "--emit", pack])
        #expect(q.status == 0, "\(q.stderr)")
        #expect(s.identity(pack) == (S_IFCHR, Self.device(1, 3)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.dir.url.path).sorted()
                == ["c.u32", "fakenull", "pack.json", "q.phb"], "no temporary file left")
    }

    @Test func aFullDeviceIsAnIOErrorAndStaysADevice() throws {
        let s = try Scratch()
        let full = try s.node("fakefull", "c", 1, 7)
        let r = try CLI.run(["build", s.corpus, "-o", full, "--quiet"])
        #expect(r.status == 74)
        #expect(r.stderr == "proteus-index: \(full): disk full while writing: No space left on device (errno 28)\n")
        #expect(s.identity(full) == (S_IFCHR, Self.device(1, 7)))
    }

    @Test func aFIFOReceivesTheWholeIndexAndStaysAFIFO() throws {
        let s = try Scratch()
        let expected = try s.reference()
        let fifo = s.fifo("out.fifo")
        let (r, received) = try Self.draining(fifo) { try CLI.run(["build", s.corpus, "-o", fifo, "--quiet"]) }
        #expect(r.status == 0, "\(r.stderr)")
        #expect(received == expected)
        #expect(s.identity(fifo).type == S_IFIFO)
    }

    @Test func aFailedRunWritesNothingIntoTheFIFO() throws {
        let s = try Scratch()
        let fifo = s.fifo("out.fifo")
        // Fails after the output is open: the tokens of the first document are already made.
        let bad = s.path("bad.txt")
        try Data(Array("good text\n".utf8) + [0xFF] + Array(" more\n".utf8)).write(to: URL(fileURLWithPath: bad))
        let command = ["encode", Self.text, bad, "-o", fifo, "--tokenizer", Self.tokenizer, "--quiet"]
        let (r, received) = try Self.draining(fifo) { try CLI.run(command) }
        #expect(r.status == 65)
        #expect(r.stderr == "proteus-index: \(bad): at byte 10: invalid UTF-8\n")
        #expect(received.isEmpty)
        #expect(s.identity(fifo).type == S_IFIFO)
        // Failing before the output is opened never blocks on the FIFO either.
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: s.path("bad.u32")))
        let early = try Self.draining(fifo) { try CLI.run(["build", s.path("bad.u32"), "-o", fifo, "--quiet"]) }
        #expect(early.0.status == 65)
        #expect(early.1.isEmpty)
    }

    @Test func devStdoutIsWrittenThroughToAPipeAndToARedirectedFile() throws {
        let s = try Scratch()
        let expected = try s.reference()
        let piped = try CLI.run(["build", s.corpus, "-o", "/dev/stdout", "--quiet"])
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdoutBytes == expected)
        // `-o /dev/stdout > file`: the shell's file gets the index, /dev/stdout stays a link.
        let target = s.path("redirected.phb")
        _ = FileManager.default.createFile(atPath: target, contents: nil)
        let p = Process()
        p.executableURL = CLI.executable
        p.arguments = ["build", s.corpus, "-o", "/dev/stdout", "--quiet"]
        p.standardOutput = FileHandle(forWritingAtPath: target)
        try p.run(); p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == expected)
        #expect(s.identity("/dev/stdout").type == S_IFLNK)
    }

    @Test func directoriesSocketsAndBlockDevicesAreRefused() throws {
        let s = try Scratch()
        let block = try s.node("fakeloop", "b", 7, 0)
        let socketPath = s.path("sock")
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in socketPath.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        let cases = [
            (s.dir.url.path, "is a directory, expected an output file path"),
            (socketPath, "is a socket, not a file or device that can take the output"),
            (block, "is a block device; refusing to write over it (give a file path)"),
        ]
        for (path, message) in cases {
            for command in [["build", s.corpus, "-o", path, "--quiet"], ["convert", s.corpus, "-o", path, "--quiet"]] {
                let r = try CLI.run(command)
                #expect(r.status == 73, "\(command[0]) \(path)")
                #expect(r.stderr == "proteus-index: \(path): \(message)\n")
            }
        }
        #expect(s.identity(block) == (S_IFBLK, Self.device(7, 0)))
        #expect(s.identity(socketPath).type == S_IFSOCK)
    }
}
