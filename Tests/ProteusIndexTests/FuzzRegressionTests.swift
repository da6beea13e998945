import Testing
import Foundation
@testable import ProteusIndex

/// Inputs found by tools/fuzz.sh, reduced, each asserting the clear error that replaced the
/// crash (the original crashing files are in fixtures/fuzz/<target>/, so fuzzing resumes there).
@Suite struct FuzzRegressionTests {
    @Test func tokHeaderWithA4BytePayload() throws {
        // Found by the tok target: a PTOK skippable frame whose payload is only "PTOK" made
        // the header reader load its version fields past the payload (ASan heap overflow).
        let dir = try TokTestSupport.temporaryFolder("fuzzreg")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/short.tok"
        let bytes: [UInt8] = [0x50, 0x2A, 0x4D, 0x18, 4, 0, 0, 0] + Array("PTOK".utf8) + [UInt8](repeating: 0, count: 100)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let m = TokTestSupport.failure { _ = try TokFile(path: path) }
        #expect(m == "\(path): corrupt header (payload of 4 bytes for a 0-byte tokenizer name)")
    }
}
