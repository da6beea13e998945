import Foundation
@testable import ProteusIndex

/// Paths and shared objects for the tokenizer suites. The expected ids and piece lengths in
/// fixtures/tiktoken were written by tools/reference/tiktoken_reference.py from the real tiktoken and
/// the Python `regex` module.
enum TokenizerFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let rankFile = root + "/fixtures/tokenizers/cl100k_base.tiktoken"

    /// cl100k_base, loaded once for all tests.
    static let cl100k: Tokenizer = try! Tokenizer.load(path: rankFile)
    /// The same ranks with the GPT-2 (r50k) split pattern, as the reference tool builds it.
    static let r50kSplit = Tokenizer(ranks: cl100k.ranks, pattern: .r50k, identity: cl100k.identity)

    /// The essays concatenated in sorted file-name order (as the reference tool does).
    static let essays: [UInt8] = {
        let folder = root + "/fixtures/essays"
        let names = try! FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".txt") }.sorted()
        return names.flatMap { try! Array(Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0))) }
    }()
    static let mixed: [UInt8] = try! Array(Data(contentsOf: URL(fileURLWithPath: root + "/fixtures/text/mixed.txt")))
    /// Sampled code points of every plane plus the blocks of Unicode 15-17 (written by the tool).
    static let unicode: [UInt8] = try! Array(Data(contentsOf: URL(fileURLWithPath: root + "/fixtures/text/unicode.txt")))

    static func text(_ name: String) -> [UInt8] {
        switch name {
        case "essays": return essays
        case "unicode": return unicode
        default: return mixed
        }
    }

    /// fixtures/tiktoken/manifest.json: counts and checksums recorded by the reference tool.
    static let manifest: [String: Any] = try! JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath:
        root + "/fixtures/tiktoken/manifest.json"))) as! [String: Any]

    /// A number the reference tool recorded for text `name` ("cl100k_tokens", "cl100k_pieces", ...).
    static func recorded(_ name: String, _ field: String) -> Int {
        ((manifest["texts"] as! [String: Any])[name] as! [String: Any])[field] as! Int
    }

    static func u32(_ name: String) -> [UInt32] {
        let data = try! Data(contentsOf: URL(fileURLWithPath: root + "/fixtures/tiktoken/" + name))
        return data.withUnsafeBytes { raw in (0..<data.count / 4).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self) } }
    }

    static func u16(_ name: String) -> [Int] {
        let data = try! Data(contentsOf: URL(fileURLWithPath: root + "/fixtures/tiktoken/" + name))
        return data.withUnsafeBytes { raw in (0..<data.count / 2).map { Int(raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) } }
    }

    /// One folder for this test process's files, removed when the process exits.
    static let scratch: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("proteus-tok-\(getpid())")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TokenizerFixtures.scratch) }
        return dir
    }()

    /// Writes `contents` to a new temporary file and returns its path.
    static func temporaryFile(_ contents: String, name: String = "test.tiktoken") -> String {
        let dir = scratch.appendingPathComponent(UUID().uuidString)
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try! Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
