import Testing
import Foundation
@testable import ProteusIndex

@Suite struct SystemTests {
    @Test func missingFileIsNoInput() throws {
        #expect {
            _ = try SystemFile(openForReading: "/nonexistent/corpus.tok")
        } throws: { error in
            let e = error as! ProteusError
            return e.kind == .noInput && e.description == "/nonexistent/corpus.tok: cannot open: No such file or directory (errno 2)"
        }
    }

    @Test func directoryIsRefused() throws {
        #expect {
            _ = try SystemFile(openForReading: "/tmp")
        } throws: { error in
            (error as! ProteusError).description == "/tmp: is a directory, expected a file"
        }
    }

    @Test func atomicOutputAppearsOnlyOnCommit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("proteus-atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out.bin").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        do {
            let out = try AtomicOutputFile(path: path)
            try out.write(Array("new contents".utf8))
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
            out.discard()
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.bin"])
        let out = try AtomicOutputFile(path: path)
        try out.write(Array("new contents".utf8))
        try out.commit()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new contents")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.bin"])
    }

    @Test func outputEqualToInputIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("proteus-same-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("in.tok").path
        try Data([1, 2, 3, 4]).write(to: URL(fileURLWithPath: path))
        let input = try SystemFile(openForReading: path)
        #expect {
            _ = try AtomicOutputFile(path: path, inputs: [input.identity])
        } throws: { error in
            (error as! ProteusError).description == "\(path): output path is also an input; choose another output"
        }
    }

    @Test func documentLookupFindsTheOwningDocument() {
        var t = DocumentTable()
        t.append(name: "a", length: 5)
        t.append(name: "empty", length: 0)
        t.append(name: "b", length: 3)
        #expect(t.document(containing: 0) == 0)
        #expect(t.document(containing: 4) == 0)
        #expect(t.document(containing: 5) == 2)
        #expect(t.document(containing: 7) == 2)
        #expect(t.document(containing: 8) == nil)
    }
}
