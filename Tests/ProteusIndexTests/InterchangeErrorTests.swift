import Testing
import Foundation
@testable import ProteusIndex

/// Malformed interchange files: each refusal is one exact line. Files are built byte by byte
/// here because the reference libraries refuse to write them.
@Suite struct InterchangeErrorTests {
    typealias F = IndexFileFixtures

    /// A safetensors file from a header string and data (header padded like the spec says,
    /// unless a length is forced).
    static func safetensors(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
        var h = Array(header.utf8)
        h += [UInt8](repeating: 0x20, count: (8 - h.count % 8) % 8)
        var bytes = [UInt8](repeating: 0, count: 8)
        F.put(length ?? UInt64(h.count), &bytes, 0)
        return bytes + h + data
    }

    /// An .npy v1.0 file from a header dict text (padded to 64) and data.
    static func npy(_ dict: String, data: [UInt8]) -> [UInt8] {
        var h = Array(dict.utf8)
        h += [UInt8](repeating: 0x20, count: (64 - (10 + h.count + 1) % 64) % 64) + [0x0A]
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(h.count & 255), UInt8(h.count >> 8)] + h + data
    }

    @Test func ourWritersRoundTripThroughOurReader() throws {
        let dir = try F.temporaryFolder("interchange-own")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let values: [Float] = (0..<24).map { Float($0) * 0.25 - 3 }
        let halves = values.map { Float16($0) }
        try SafetensorsWriter.write([Tensor(name: "odd", values: [UInt8(1), 2, 3]),
                                     Tensor(name: "emb", shape: [6, 4], values: values)], to: dir + "/a.safetensors")
        let a = try EmbeddingMatrix.load(path: dir + "/a.safetensors")
        #expect(a == EmbeddingMatrix(rows: 6, columns: 4, values: values, storedDType: .f32, tensorName: "emb"))
        #expect(a.row(1) == values[4..<8])
        try SafetensorsWriter.write([Tensor.bfloat16(name: "b", shape: [4, 6], values: values)], to: dir + "/b.safetensors")
        #expect(try EmbeddingMatrix.load(path: dir + "/b.safetensors").values == values) // all exact in bfloat16
        try NPYWriter.write(Tensor(name: "", shape: [3, 8], values: halves), to: dir + "/h.npy")
        #expect(try EmbeddingMatrix.load(path: dir + "/h.npy").values == halves.map { Float($0) })
        try NPYWriter.write(Tensor(name: "", shape: [2, 12], values: values.map(Double.init)), to: dir + "/d.npy")
        let d = try EmbeddingMatrix.load(path: dir + "/d.npy")
        #expect(d.values == values && d.rows == 2 && d.columns == 12 && d.storedDType == .f64)
        for shape in [[1], [7, 3], [], [123_456, 2, 9]] {
            #expect((10 + NPYWriter.headerBytes(descr: "<f4", shape: shape).count) % 64 == 0, "\(shape)")
        }
        #expect(failure { try NPYWriter.write(Tensor.bfloat16(name: "b", shape: [1], values: [1]), to: dir + "/x.npy") }
                == "\(dir)/x.npy: numpy has no BF16 dtype; write this tensor as safetensors")
    }

    @Test func halfPrecisionConversionMatchesFloat16() {
        for bits in stride(from: 0, through: 0xFFFF, by: 1) {
            let reference = Float(Float16(bitPattern: UInt16(bits)))
            let ours = Float(halfBits: UInt16(bits))
            #expect(reference.bitPattern == ours.bitPattern || (reference.isNaN && ours.isNaN))
            if reference.bitPattern != ours.bitPattern && !(reference.isNaN && ours.isNaN) { break }
        }
    }

    @Test func malformedSafetensorsAreRefused() throws {
        let dir = try F.temporaryFolder("interchange-bad-st")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/m.safetensors"
        let eightFloats = [UInt8](repeating: 0, count: 32)
        let cases: [([UInt8], String)] = [
            (Self.safetensors("{}", length: 1_000), "safetensors header length 1000 goes beyond the end of the file (16 bytes)"),
            (Self.safetensors("{}", length: 200_000_000), "safetensors header of 200000000 bytes is larger than the 100 MB limit"),
            (Self.safetensors("{\"a\": {\"dtype\": \"F32\", \"shape\": [2, 4], \"data_offsets\": [0, 32]}", data: eightFloats),
             "safetensors header is not valid JSON: unterminated object at header byte 64"),
            (Self.safetensors("{\"a\": {\"dtype\": \"F32\", \"shape\": [2, 4], \"data_offsets\": [0, 32]}}", data: eightFloats + [0]),
             "data offsets do not cover the data buffer exactly: tensors end at data byte 32, the buffer has 33 bytes"),
            (Self.safetensors("{\"a\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": [16, 32]}}", data: eightFloats),
             "data offsets do not cover the data buffer exactly: tensor 'a' starts at data byte 16, expected 0"),
            (Self.safetensors("{\"a\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": [0, 16]}, \"b\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": [8, 24]}}", data: [UInt8](repeating: 0, count: 24)),
             "data offsets do not cover the data buffer exactly: tensor 'b' starts at data byte 8, expected 16"),
            (Self.safetensors("{\"a\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 32]}}", data: eightFloats),
             "tensor 'a': data_offsets [0, 32] hold 32 bytes, but F32 [2, 3] needs 24"),
            (Self.safetensors("{\"a\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296], \"data_offsets\": [0, 32]}}", data: eightFloats),
             "tensor 'a': shape [4294967296, 4294967296] has too many elements (overflow)"),
            (Self.safetensors("{\"a\": {\"dtype\": \"Q7\", \"shape\": [8], \"data_offsets\": [0, 32]}}", data: eightFloats),
             "tensor 'a': unknown dtype 'Q7'"),
            (Self.safetensors("{\"a\": {\"dtype\": \"F32\", \"shape\": [-8], \"data_offsets\": [0, 32]}}", data: eightFloats),
             "tensor 'a': expected {\"dtype\": string, \"shape\": [integers], \"data_offsets\": [begin, end]}"),
            (Self.safetensors("{\"__metadata__\": {\"n\": 3}}"), "safetensors __metadata__ must map strings to strings"),
            (Self.safetensors("[1]"), "not a safetensors or .npy file (a safetensors file starts with a header length and '{', an .npy with \\x93NUMPY)"),
            (Array("hello".utf8), "not a safetensors or .npy file (a safetensors file starts with a header length and '{', an .npy with \\x93NUMPY)"),
        ]
        for (bytes, message) in cases {
            try F.write(bytes, to: path)
            #expect(failure { _ = try EmbeddingMatrix.load(path: path) } == "\(path): \(message)")
        }
        // Opened directly (not through the embedding loader), a non-object header is named as such.
        try F.write(Self.safetensors("[1]"), to: path)
        #expect(failure { _ = try SafetensorsFile(path: path) } == "\(path): safetensors header is not a JSON object")
    }

    @Test func malformedNPYAreRefused() throws {
        let dir = try F.temporaryFolder("interchange-bad-npy")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/m.npy"
        let data = [UInt8](repeating: 0, count: 24)
        let cases: [([UInt8], String)] = [
            (Self.npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", data: data),
             "array is stored in Fortran (column-major) order; save it with numpy.ascontiguousarray"),
            (Self.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }", data: data),
             "data is 24 bytes but shape (2, 4) of '<f4' needs 32 (4 bytes each)"),
            (Self.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 8), }", data: data),
             "shape (4611686018427387904, 8) has too many elements (overflow)"),
            (Self.npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", data: data),
             "array has dtype '>f4'; an embedding matrix must be float32, float16 or float64 ('<f4', '<f2', '<f8')"),
            (Self.npy("{'descr': '<f4', 'shape': (2, 3), }", data: data),
             ".npy header lacks 'descr', 'fortran_order' or 'shape': {'descr': '<f4', 'shape': (2, 3), }"),
            (Self.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", data: data),
             ".npy header is malformed: {'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }"),
            (Array(Self.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data: data).prefix(40)),
             ".npy header length 118 goes beyond the end of the file (40 bytes)"),
            ([0x93] + Array("NUMPY".utf8) + [9, 0, 0, 0], "unsupported .npy version 9.0"),
        ]
        for (bytes, message) in cases {
            try F.write(bytes, to: path)
            #expect(failure { _ = try EmbeddingMatrix.load(path: path) } == "\(path): \(message)")
        }
    }
}
