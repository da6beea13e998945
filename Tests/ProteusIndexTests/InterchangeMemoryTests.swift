import Testing
import Foundation
@testable import ProteusIndex

/// The in-memory entry points (`EmbeddingMatrix.decode`, `SafetensorsFile(bytes:path:)`,
/// `NPYFile(bytes:path:)`, used by the fuzzer) give exactly what loading the same bytes from
/// a file gives: the same matrix, the same one-line refusals.
@Suite struct InterchangeMemoryTests {
    typealias F = IndexFileFixtures
    typealias E = InterchangeErrorTests

    /// Loads `bytes` from a file and decodes them from memory; both outcomes as text.
    static func both(_ bytes: [UInt8], path: String, tensorName: String? = nil) throws -> (String, String) {
        try F.write(bytes, to: path)
        func outcome(_ body: () throws -> EmbeddingMatrix) -> String {
            do { let m = try body(); return "\(m.rows)x\(m.columns) \(m.storedDType) \(m.tensorName ?? "-") \(m.values)" }
            catch { return "\(error)" }
        }
        let fromFile = outcome { try EmbeddingMatrix.load(path: path, tensorName: tensorName) }
        let fromMemory = outcome { try bytes.withUnsafeBytes { try EmbeddingMatrix.decode($0, path: path, tensorName: tensorName) } }
        return (fromFile, fromMemory)
    }

    @Test func decodingFromMemoryMatchesLoadingTheFile() throws {
        let dir = try F.temporaryFolder("interchange-memory")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let values: [Float] = (0..<12).map { Float($0) - 5.5 }
        try SafetensorsWriter.write([Tensor(name: "odd", values: [UInt8(1), 2, 3]),
                                     Tensor(name: "emb", shape: [3, 4], values: values)], to: dir + "/a.safetensors")
        try NPYWriter.write(Tensor(name: "", shape: [4, 3], values: values.map(Double.init)), to: dir + "/d.npy")
        let st = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/a.safetensors")))
        let npy = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/d.npy")))
        let good = [(st, "emb"), (npy, nil), (st, nil)] as [([UInt8], String?)]
        for (bytes, name) in good {
            let (file, memory) = try Self.both(bytes, path: dir + "/m", tensorName: name)
            #expect(file == memory)
            #expect(file.hasPrefix("3x4 f32 emb") || file.hasPrefix("4x3 f64 -"), "\(file)")
        }
        let eight = [UInt8](repeating: 0, count: 32)
        let bad: [[UInt8]] = [
            [], Array("hello".utf8), Array(st.prefix(40)), Array(npy.prefix(9)), Array(npy.prefix(40)),
            E.safetensors("{}", length: 1_000), E.safetensors("{\"a\": {\"dtype\": \"Q7\", \"shape\": [8], \"data_offsets\": [0, 32]}}", data: eight),
            E.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }", data: eight + [0]),
            E.npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 4), }", data: eight),
        ]
        for bytes in bad {
            let (file, memory) = try Self.both(bytes, path: dir + "/m")
            #expect(file == memory)
            #expect(file.hasPrefix("\(dir)/m: "), "\(file)")
        }
    }

    @Test func emptyFilesAreRefusedByEachReader() throws {
        let dir = try F.temporaryFolder("interchange-empty")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/empty"
        try F.write([], to: path)
        #expect(failure { _ = try EmbeddingMatrix.load(path: path) }
                == "\(path): not a safetensors or .npy file (a safetensors file starts with a header length and '{', an .npy with \\x93NUMPY)")
        #expect(failure { _ = try SafetensorsFile(path: path) }
                == "\(path): not a safetensors file: 0 bytes, too short for the 8-byte header length")
        #expect(failure { _ = try NPYFile(path: path) } == "\(path): not a .npy file: it does not start with \\x93NUMPY")
    }

    @Test func inMemoryFilesViewTheCallersBytes() throws {
        let bytes = E.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data: [0, 0, 128, 63, 0, 0, 0, 64])
        try bytes.withUnsafeBytes { raw in
            let file = try NPYFile(bytes: raw, path: "mem.npy")
            #expect(file.shape == [2] && file.dtype == .f32)
            #expect(file.dataOffset == raw.count - 8)
            #expect(file.bytes.baseAddress == raw.baseAddress! + file.dataOffset && file.bytes.count == 8)
        }
        let st = E.safetensors("{\"v\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", data: [0, 0, 128, 63, 0, 0, 0, 64])
        try st.withUnsafeBytes { raw in
            let file = try SafetensorsFile(bytes: raw, path: "mem.safetensors")
            let view = file.bytes(of: file.entries[0])
            #expect(view.baseAddress == raw.baseAddress! + st.count - 8)
            #expect(Array(view.bindMemory(to: Float.self)) == [1, 2])
        }
        #expect(failure { _ = try [UInt8]("{}".utf8).withUnsafeBytes { try SafetensorsFile(bytes: $0, path: "mem") } }
                == "mem: not a safetensors file: 2 bytes, too short for the 8-byte header length")
    }
}
