import Testing
import Foundation
@testable import ProteusIndex

/// A `.tok` is a zstd seekable-format file: pyzstd's SeekableZstdFile (through
/// tools/reference/check_seekable.py) opens every size class, seeks to random token offsets and
/// reads the ids our reader reads.
@Suite struct SeekableReaderTests {
    typealias S = TokTestSupport

    struct Case {
        let name: String, codec: TokCodec, width: TokenWidth, frameTokens: Int
        let documents: [(String, [UInt32])]
    }

    /// One frame, many frames, an empty corpus, thousands of documents; zstd and raw-block frames.
    static func cases() -> [Case] {
        var many: [(String, [UInt32])] = []
        var lengths = S.tokens(3000, limit: 120, seed: 9).makeIterator()
        for d in 0..<3000 { many.append(("doc\(d)", S.tokens(Int(lengths.next()!), limit: 65_536, seed: UInt64(d) + 100))) }
        var out: [Case] = []
        for codec in [TokCodec.zstd, .none] {
            for width in [TokenWidth.u16, .u32] {
                out += [
                    Case(name: "one-frame", codec: codec, width: width, frameTokens: 65_536,
                         documents: [("a", S.tokens(5000, limit: 60_000, seed: 1))]),
                    Case(name: "many-frames", codec: codec, width: width, frameTokens: 4096,
                         documents: [("a", S.tokens(70_000, limit: 60_000, seed: 2)), ("b", []), ("c", S.tokens(33_333, limit: 60_000, seed: 3))]),
                    Case(name: "empty", codec: codec, width: width, frameTokens: 65_536, documents: [("nothing", [])]),
                    Case(name: "documents", codec: codec, width: width, frameTokens: 8192, documents: many),
                ]
            }
        }
        return out
    }

    @Test(.enabled(if: PeerPython.pyzstd, "python3 with pyzstd is not available (tools/install-deps.sh installs it)"))
    func pyzstdSeeksEverySizeClassToTheSameIds() throws {
        let dir = try S.temporaryFolder("seekable"); defer { try? FileManager.default.removeItem(atPath: dir) }
        var files: [[String: Any]] = [], expected: [(TokFile, [[UInt32]])] = []
        var random = SplitMix(seed: 14)
        for (i, c) in Self.cases().enumerated() {
            let path = try S.writeTok(dir + "/\(i)-\(c.name).tok", codec: c.codec, width: c.width, frameTokens: c.frameTokens, documents: c.documents)
            let tok = try TokFile(path: path)
            let total = Int(tok.tokenCount)
            // Random offsets (reads up to 10,000 tokens, crossing frames), the very start, the last token, past the end.
            var reads = (0..<40).map { _ in [Int.random(in: 0..<max(total, 1), using: &random), Int.random(in: 1...10_000, using: &random)] }
            reads += [[0, 10], [max(total - 1, 0), 10], [total, 5]]
            let cursor = try tok.makeCursor()
            expected.append((tok, try reads.map { Array(try cursor.read(start: UInt64($0[0]), count: $0[1])) }))
            files.append(["path": path, "width": c.width.byteCount, "reads": reads])
        }
        let result = try PeerPython.json("check_seekable.py", spec: ["files": files], folder: dir)
        let seen = result["files"] as! [[String: Any]]
        #expect(seen.count == expected.count)
        for (file, (tok, ids)) in zip(seen, expected) {
            #expect(file["error"] == nil, "\(tok.name): \(file["error"] ?? "")")
            guard let table = file["seek_table"] as? [Int], let reads = file["reads"] as? [[Int]] else { continue }
            #expect(table == [tok.seekTableEntries, Int(tok.summary.fileBytes) - SeekTable.frameSize(frames: tok.seekTableEntries),
                              Int(tok.tokenCount) * tok.storedWidth.byteCount], "\(tok.name)")
            #expect(reads.map { $0.map(UInt32.init) } == ids, "\(tok.name)")
        }
        #expect(expected.reduce(0) { $0 + $1.1.count } == 16 * 43)
    }

    /// The issue's report, kept: pyzstd refuses the old layout, and reads the file `convert` makes of it.
    @Test(.enabled(if: PeerPython.pyzstd, "python3 with pyzstd is not available (tools/install-deps.sh installs it)"))
    func pyzstdRefusesTheOldLayoutAndReadsItsConversion() throws {
        let dir = try S.temporaryFolder("seekable"); defer { try? FileManager.default.removeItem(atPath: dir) }
        let old = try S.writeTok(dir + "/old.tok", codec: .zstd, documents: TokTests.docs)
        try S.downgradeToVersion1(old)
        try FormatConverter().convert(InputOpener.open([old]), to: dir + "/new.tok")
        let reads = [[7000, 3], [2499, 2]]
        let result = try PeerPython.json("check_seekable.py", spec: ["files": [old, dir + "/new.tok"].map {
            ["path": $0, "width": 4, "reads": reads] as [String: Any]
        }], folder: dir)
        let files = result["files"] as! [[String: Any]]
        #expect(files[0]["error"] as? String == "Zstandard Seekable Format error: The cumulated compressed size is wrong")
        #expect((files[1]["reads"] as? [[Int]])?.map { $0.map(UInt32.init) } == reads.map { Array(TokTests.all[$0[0]..<($0[0] + $0[1])]) })
    }
}
