import Foundation
import Testing
@testable import ProteusIndex

@Suite struct ConcatenatedSourceTests {
    /// Three sources of different formats and widths; returns the whole and the expected ids.
    static func mixed(_ dir: FormatScratch, forcePread: Bool = false) throws -> (ConcatenatedSource, [UInt32]) {
        let a = FormatFixtures.ids(1000, below: 50_257, seed: 1)
        let b = FormatFixtures.ids(3, below: 200_000, seed: 2)
        let c = FormatFixtures.ids(2500, below: 50_257, seed: 3)
        var header = [Int32](repeating: 0, count: 256)
        header[0] = 20240520; header[1] = 1; header[2] = 2500
        let sources: [TokenSource] = [
            try RawTokenFile(path: try dir.write("a.u16", FormatFixtures.bytes(a.map { UInt16($0) })), forcePread: forcePread),
            try RawTokenFile(path: try dir.write("b.u32", FormatFixtures.bytes(b)), forcePread: forcePread),
            try LLMCShard(path: try dir.write("c.bin", FormatFixtures.bytes(header) + FormatFixtures.bytes(c.map { UInt16($0) })),
                          forcePread: forcePread),
        ]
        return (ConcatenatedSource(sources, name: dir.path), a + b + c)
    }

    @Test func windowsSpanningSourcesReadTheConcatenation() throws {
        let dir = try FormatScratch("concat")
        for forcePread in [false, true] {
            let (whole, expected) = try Self.mixed(dir, forcePread: forcePread)
            #expect(whole.tokenCount == 3503 && whole.storedWidth == .u32)
            #expect(whole.formatName == "concatenated(3)")
            for window in [1, 2, 999, 1000, 1001, 1002, 4096] {
                #expect(try FormatFixtures.readAll(whole, window: window) == expected, "window \(window)")
            }
            // One window covering the middle source entirely and parts of both neighbours.
            let cursor = try whole.makeCursor()
            let w = try cursor.read(start: 998, count: 8)
            #expect(Array(w) == Array(expected[998..<1006]))
            withExtendedLifetime(cursor) {}
        }
    }

    @Test func documentsAreAppendedInOrder() throws {
        let dir = try FormatScratch("concat")
        let (whole, _) = try Self.mixed(dir)
        #expect(whole.documents.names == ["a.u16", "b.u32", "c.bin"].map { dir.path + "/" + $0 })
        #expect(whole.documents.starts == [0, 1000, 1003])
        #expect(whole.documents.document(containing: 1002) == 1)
    }

    @Test func windowInsideOneMappedU32SourceStaysZeroCopy() throws {
        let dir = try FormatScratch("concat")
        let (whole, _) = try Self.mixed(dir)
        let part = whole.sources[1] as! RawTokenFile
        let cursor = try whole.makeCursor()
        let w = try cursor.read(start: 1001, count: 2)
        #expect(UnsafeRawPointer(w.baseAddress!) == part.layout.map!.bytes.baseAddress! + 4)
        withExtendedLifetime(cursor) {}
    }

    @Test func emptySourcesAreSkipped() throws {
        let dir = try FormatScratch("concat")
        try dir.write("e.bin", [])
        try dir.write("e.idx", MegatronDatasetTests.idx(lengths: [], pointers: [], documents: [0]))
        let empty = try MegatronDataset(path: dir.path + "/e")
        let ids: [UInt32] = [5, 6, 7]
        let raw = try RawTokenFile(path: try dir.write("x.u32", FormatFixtures.bytes(ids)))
        let whole = ConcatenatedSource([empty, raw, empty, raw, empty], name: "all")
        #expect(try FormatFixtures.readAll(whole, window: 2) == ids + ids)
        let none = ConcatenatedSource([empty], name: "none")
        #expect(try FormatFixtures.readAll(none, window: 2) == [])
    }

    @Test func directoryWalkIsSortedRecursiveAndSkipsDotfilesAndLinks() throws {
        let dir = try FormatScratch("walk")
        for name in ["b.u16", "a/z.u16", "a/b/c.u16", "a.b", ".hidden", "a/.swp", ".git/x.u16", "B.u16"] {
            try dir.write(name, [1, 0])
        }
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: dir.path + "/link.u16", withDestinationPath: dir.path + "/b.u16")
        try fm.createSymbolicLink(atPath: dir.path + "/loop", withDestinationPath: dir.path + "/a")
        try fm.createSymbolicLink(atPath: dir.path + "/dangling.u16", withDestinationPath: dir.path + "/nowhere")
        let files = try DirectoryWalker.regularFiles(under: dir.path + "/")
        // Byte-wise order of full paths: "a.b" < "a/..." because '.' (0x2E) < '/' (0x2F); "B" < "a".
        // Links are left out (ripgrep's default).
        #expect(files == ["B.u16", "a.b", "a/b/c.u16", "a/z.u16", "b.u16"].map { dir.path + "/" + $0 })
        // Followed, the loop is entered once and the link to b.u16 is the same file as b.u16.
        var follow = WalkOptions()
        follow.followLinks = true
        #expect(try DirectoryWalker.regularFiles(under: dir.path, options: follow) == files)
    }

    @Test func missingDirectoryIsReported() throws {
        #expect(FormatFixtures.errorText { _ = try DirectoryWalker.regularFiles(under: "/nonexistent/corpus") }
                == "/nonexistent/corpus: cannot list directory: No such file or directory (errno 2)")
    }
}
