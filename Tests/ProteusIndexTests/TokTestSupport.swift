import Foundation
@testable import ProteusIndex

/// Helpers shared by the XXHash, Codec, Tok and Stdin suites.
enum TokTestSupport {
    /// A fresh folder under $TMPDIR, removed by the caller (`IndexFileFixtures.temporaryFolder`).
    static func temporaryFolder(_ label: String) throws -> String { try IndexFileFixtures.temporaryFolder(label) }

    struct Run { let status: Int32; let stdout: Data; let stderr: String }

    /// Runs a real tool (zstd, lz4) found on PATH, feeding `stdin`.
    static func run(_ tool: String, _ arguments: [String], stdin: Data? = nil) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try p.run()
        if let stdin {
            DispatchQueue.global().async {
                input.fileHandleForWriting.write(stdin)
                try? input.fileHandleForWriting.close()
            }
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: o, stderr: String(decoding: e, as: UTF8.self))
    }

    /// Deterministic pseudo-random token ids below `limit`.
    static func tokens(_ count: Int, limit: UInt32 = 100_000, seed: UInt64 = 1) -> [UInt32] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Skewed like text: many small ids, few large ones, so the codecs have something to do.
            let r = UInt32(truncatingIfNeeded: state >> 33)
            return (r % 7 == 0 ? r : r % 300) % limit
        }
    }

    /// Little-endian bytes of `tokens` at `width`.
    static func bytes(_ tokens: [UInt32], width: TokenWidth) -> Data {
        var d = Data()
        for t in tokens {
            if width == .u16 { withUnsafeBytes(of: UInt16(t).littleEndian) { d.append(contentsOf: $0) } }
            else { withUnsafeBytes(of: t.littleEndian) { d.append(contentsOf: $0) } }
        }
        return d
    }

    /// Writes a .tok with one document per element of `documents`.
    @discardableResult
    static func writeTok(_ path: String, codec: TokCodec, width: TokenWidth = .u32, frameTokens: Int = 1000,
                         tokenizer: TokenizerIdentity? = nil, documents: [(String, [UInt32])]) throws -> String {
        let w = try TokWriter(path: path, codec: codec, width: width, tokenizer: tokenizer, frameTokens: frameTokens)
        for (name, toks) in documents {
            try w.beginDocument(name: name)
            try toks.withUnsafeBufferPointer { try w.append($0) }
        }
        try w.finish()
        return path
    }

    /// Rewrites the `.tok` at `path` (written by `TokWriter`) into the version-1 layout, as
    /// writers before format 2 made it: same frames, a seek table of the data frames only.
    static func downgradeToVersion1(_ path: String) throws {
        let tok = try TokFile(path: path)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var header = try TokHeader.decode(bytes, fileSize: UInt64(bytes.count), path: path)
        (header.formatVersion, header.oldestReaderVersion) = (1, 1)
        let frames = Int(tok.frameOffsets.first!)..<Int(tok.header.documentTableOffset + tok.header.documentTableLength)
        let legacy = header.encode() + bytes[frames] + tok.seekTable.encode()
        try Data(legacy).write(to: URL(fileURLWithPath: path))
    }

    /// The error message a throwing call produced (its `description`), or nil.
    static func failure(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }
}
