import Testing
import Foundation
@testable import ProteusIndex

/// Our safetensors/.npy writers and readers, checked against the reference libraries
/// (numpy, safetensors) through tools/check_interchange.py when python3 has them.
@Suite struct InterchangeTests {
    typealias F = IndexFileFixtures
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tools/check_interchange.py").path
    static let pythonReady: Bool = (try? python(["-c", "import numpy, safetensors"]).status) == 0

    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Tensors of every dtype, including an odd-length U8 before an F32 (unaligned in the buffer).
    static func sampleTensors() -> [(Tensor, [Double])] {
        let halves: [Float16] = [0, 1, -2.5, 65504, 0.000061035156]
        let floats: [Float] = [1.5, -0, 3.25e-8, 1e30, -7, 0.1]
        return [
            (Tensor(name: "input_ids", shape: [2, 3], values: [UInt32(0), 100_276, 5, 6, 7, UInt32.max]), [0, 100_276, 5, 6, 7, 4_294_967_295]),
            (Tensor(name: "flags", values: [UInt8(1), 2, 255]), [1, 2, 255]),
            (Tensor(name: "weights", shape: [3, 2], values: floats), floats.map(Double.init)),
            (Tensor(name: "positions", values: [Int64(-1), 0, 1 << 40, -(1 << 53)]), [-1, 0, 1_099_511_627_776, -9_007_199_254_740_992]),
            (Tensor(name: "half", values: halves), halves.map { Double(Float($0)) }),
            // Values exactly representable in bfloat16, so no rounding is involved.
            (Tensor.bfloat16(name: "brain", shape: [2, 2], values: [1, -0.5, 0x1p100, 0.01171875]), [1, -0.5, 0x1p100, 0.01171875]),
            (Tensor(name: "empty", shape: [0, 4], values: [Float]()), []),
            (Tensor(name: "double", values: [0.1, -1e300]), [0.1, -1e300]),
        ]
    }

    @Test(.enabled(if: pythonReady, "python3 with numpy and safetensors is not available"))
    func ourFilesLoadInNumpyAndSafetensors() throws {
        let dir = try F.temporaryFolder("interchange-write")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let samples = Self.sampleTensors()
        func spec(_ t: Tensor, _ values: [Double]) -> [String: Any] {
            ["name": t.name, "dtype": t.dtype.rawValue, "shape": t.shape, "values": values]
        }
        var files: [[String: Any]] = []
        try SafetensorsWriter.write(samples.map(\.0), metadata: ["format": "pt", "source": "proteus \"test\""], to: dir + "/all.safetensors")
        files.append(["path": dir + "/all.safetensors", "format": "safetensors",
                      "metadata": ["format": "pt", "source": "proteus \"test\""], "tensors": samples.map { spec($0.0, $0.1) }])
        try SafetensorsWriter.write([samples[2].0], to: dir + "/plain.safetensors")
        files.append(["path": dir + "/plain.safetensors", "format": "safetensors", "tensors": [spec(samples[2].0, samples[2].1)]])
        for (i, (t, values)) in samples.enumerated() where t.dtype != .bf16 {
            try NPYWriter.write(t, to: dir + "/\(i).npy")
            files.append(["path": dir + "/\(i).npy", "format": "npy", "tensors": [spec(t, values)]])
        }
        let scalar = Tensor(name: "s", shape: [], values: [Int32(-42)])
        try NPYWriter.write(scalar, to: dir + "/scalar.npy")
        files.append(["path": dir + "/scalar.npy", "format": "npy", "tensors": [spec(scalar, [-42])]])
        let specPath = dir + "/spec.json"
        try JSONSerialization.data(withJSONObject: ["files": files]).write(to: URL(fileURLWithPath: specPath))
        let (status, output) = try Self.python([Self.script, "check", specPath])
        #expect(status == 0, "\(output)")
        #expect(output.hasSuffix("\(files.count) files checked, 0 problems\n"))

        // The checker is not a rubber stamp: a wrong expectation makes it fail.
        var wrong = files[1]
        wrong["tensors"] = [["name": "weights", "dtype": "F32", "shape": [3, 2], "values": [9, 9, 9, 9, 9, 9]]]
        try JSONSerialization.data(withJSONObject: ["files": [wrong]]).write(to: URL(fileURLWithPath: specPath))
        let failing = try Self.python([Self.script, "check", specPath])
        #expect(failing.status == 1 && failing.output.contains("FAIL: \(dir)/plain.safetensors:weights: values differ"))
    }

    @Test(.enabled(if: pythonReady, "python3 with numpy and safetensors is not available"))
    func referenceFilesLoadIdentically() throws {
        let dir = try F.temporaryFolder("interchange-read")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let made = try Self.python([Self.script, "make-embeddings", dir])
        try #require(made.status == 0, "\(made.output)")
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/expected.json"))) as? [String: Any])
        let cases = try #require(expected["cases"] as? [[String: Any]])
        #expect(cases.count == 6)
        for c in cases {
            let file = c["file"] as! String
            let m = try EmbeddingMatrix.load(path: dir + "/" + file, tensorName: c["tensor"] as? String)
            #expect(m.rows == c["rows"] as! Int && m.columns == c["columns"] as! Int, "\(file)")
            #expect(m.storedDType.rawValue == c["dtype"] as! String)
            #expect(m.values == (c["values"] as! [Double]).map { Float($0) }, "\(file) \(c["tensor"] ?? "")")
        }
        let p = dir + "/"
        let bad: [(String, String?, String)] = [
            ("st_multi.safetensors", nil, "several 2-D tensors (lm_head [40, 8], wte [40, 8]); name the one to use"),
            ("st_multi.safetensors", "ids", "tensor 'ids' has shape [7], not a 2-D [vocabulary, dimension] matrix"),
            ("st_multi.safetensors", "nope", "no tensor named 'nope' (tensors: ids [7], lm_head [40, 8], wte [40, 8])"),
            ("npy_fortran.npy", nil, "array is stored in Fortran (column-major) order; save it with numpy.ascontiguousarray"),
            ("npy_1d.npy", nil, "array has shape (10,), not a 2-D [vocabulary, dimension] matrix"),
            ("npy_int.npy", nil, "array has dtype '<i4'; an embedding matrix must be float32, float16 or float64 ('<f4', '<f2', '<f8')"),
            ("st_3d.safetensors", nil, "no 2-D tensor to use as an embedding matrix (tensors: cube [2, 3, 4])"),
            ("st_int.safetensors", nil, "tensor 'tokens' has dtype I32; an embedding matrix must be F32, F16, BF16 or F64"),
        ]
        for (file, tensor, message) in bad {
            #expect(failure { _ = try EmbeddingMatrix.load(path: p + file, tensorName: tensor) } == "\(p + file): \(message)")
        }
    }
}
