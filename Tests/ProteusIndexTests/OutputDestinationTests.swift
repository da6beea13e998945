import Testing
import Foundation
@testable import ProteusIndex

/// Which outputs are replaced, written through or refused (no root needed: the system's own
/// /dev/null, a FIFO, descriptor links; DeviceOutputTests writes through mknod nodes as root).
@Suite struct OutputDestinationTests {
    @Test func regularFilesAndNewPathsAreReplacedDevicesAndFIFOsWrittenThrough() throws {
        let dir = try FormatScratch("destination")
        let file = try dir.write("old.phb", [1, 2, 3])
        #expect(try OutputDestination.kind(of: file) == .replaced)
        #expect(try OutputDestination.kind(of: dir.path + "/new.phb") == .replaced)
        #expect(try OutputDestination.kind(of: "/dev/null") == .writtenThrough)
        let fifo = dir.path + "/out.fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(try OutputDestination.kind(of: fifo) == .writtenThrough)
        #expect(FormatFixtures.errorText { _ = try OutputDestination.kind(of: dir.path) }
                == "\(dir.path): is a directory, expected an output file path")
    }

    @Test func descriptorLinksAreAliasesOtherLinksAreNot() throws {
        let dir = try FormatScratch("destination")
        let file = try dir.write("target.phb", [1])
        #expect(OutputDestination.isDescriptorAlias("/dev/stdout"))
        #expect(OutputDestination.isDescriptorAlias("/dev/fd/2"))
        #expect(OutputDestination.isDescriptorAlias("/proc/self/fd/1"))
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/link.phb", withDestinationPath: file)
        #expect(!OutputDestination.isDescriptorAlias(dir.path + "/link.phb"))
        #expect(!OutputDestination.isDescriptorAlias(file))
        // A descriptor open on a regular file is written through, never renamed over.
        let fd = open(file, O_WRONLY)
        defer { close(fd) }
        #expect(try OutputDestination.kind(of: "/proc/self/fd/\(fd)") == .writtenThrough)
    }

    @Test func writingThroughAppearsOnlyOnCommit() throws {
        let dir = try FormatScratch("destination")
        let file = try dir.write("target.bin", [])
        let fd = open(file, O_WRONLY)
        defer { close(fd) }
        let out = try AtomicOutputFile(path: "/proc/self/fd/\(fd)")
        try out.write(Array("header??body".utf8))
        try out.patch(Array("HEADER".utf8), at: 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)).isEmpty)
        try out.commit()
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "HEADER??body")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["target.bin"])
    }
}
