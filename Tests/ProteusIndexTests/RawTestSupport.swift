import Foundation
import Testing
@testable import ProteusIndex

/// A temporary folder removed when the value is released.
final class FormatScratch {
    let path: String

    init(_ label: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("proteus-\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` inside the folder and returns the full path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let full = path + "/" + name
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
        return full
    }
}

enum FormatFixtures {
    /// Deterministic pseudo-random ids below `bound` (xorshift; no shared generator state).
    static func ids(_ count: Int, below bound: UInt32, seed: UInt64) -> [UInt32] {
        var x = seed | 1
        return (0..<count).map { _ in
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            return UInt32(x % UInt64(bound))
        }
    }

    static func bytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { v -> [UInt8] in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    }

    /// Every token of `source`, read in windows of `window` through a fresh cursor,
    /// releasing behind the reader as the indexer does.
    static func readAll(_ source: TokenSource, window: Int) throws -> [UInt32] {
        let cursor = try source.makeCursor()
        var out: [UInt32] = []
        var start: UInt64 = 0
        while start < source.tokenCount {
            if start > 0 { cursor.release(before: start) }
            let tokens = try cursor.read(start: start, count: window)
            #expect(tokens.count == min(window, Int(source.tokenCount - start)))
            if tokens.isEmpty { break }
            out += Array(tokens)
            start += UInt64(tokens.count)
        }
        return out
    }

    /// The description of the `ProteusError` thrown by `body`, or a marker when none is thrown.
    static func errorText(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "<no error>"
        } catch let e as ProteusError {
            return e.description
        } catch {
            return "<other error: \(error)>"
        }
    }

    /// Runs tools/reference/make_test_shards.py (tests using it are `.enabled(if: PeerPython.numpy)`).
    static func python(_ arguments: [String]) throws -> [UInt32] {
        let r = try PeerPython.run([PeerPython.repository + "/tools/reference/make_test_shards.py"] + arguments)
        guard r.status == 0 else { throw PeerPython.Failure(description: "make_test_shards.py exited \(r.status): \(r.stderr)") }
        return String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").map { UInt32($0)! }
    }
}
