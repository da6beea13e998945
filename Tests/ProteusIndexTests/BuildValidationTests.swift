import Testing
@testable import ProteusIndex

@Suite struct BuildValidationTests {
    static let cases: [(String, (inout BuildParameters) -> Void)] = [
        ("'chunkLength' must be positive (got 0)", { $0.chunkLength = 0 }),
        ("'perChunk' must be positive (got -3)", { $0.perChunk = -3 }),
        ("'chunkLength' (16777217) must be at most 16777216", { $0.chunkLength = (1 << 24) + 1 }),
        ("'bufferTokens' must be positive (got 0)", { $0.bufferTokens = 0 }),
        ("'span' must not be negative (got -1)", { $0.span = -1 }),
        ("'gateCount' must not be negative (got -2)", { $0.gateCount = -2 }),
        ("'featureDimension' must be positive (got 0)", { $0.featureDimension = 0 }),
        ("'statisticsSampleTokens' must be positive (got 0)", { $0.statisticsSampleTokens = 0 }),
        ("'span' (70000) must be smaller than 'chunkLength' (65536)", { $0.span = 70_000 }),
        ("'span' (1024) must be smaller than 'chunkLength' (1024)", { $0.chunkLength = 1_024; $0.span = 1_024; $0.perChunk = 10 }),
        ("'perChunk' (70000) must not exceed 'chunkLength' (65536)", { $0.perChunk = 70_000 }),
        ("'topP' (0.0) must be in (0, 1]", { $0.topP = 0 }),
        ("'topP' (1.5) must be in (0, 1]", { $0.topP = 1.5 }),
        ("'topP' (nan) must be in (0, 1]", { $0.topP = .nan }),
    ]

    @Test(arguments: 0..<cases.count)
    func badParametersNameTheParameter(_ i: Int) throws {
        var p = BuildParameters()
        Self.cases[i].1(&p)
        let error = try #require(throws: ParameterError.self) { try BuildPipeline(parameters: p) }
        #expect(error.description == Self.cases[i].0)
    }

    @Test func signalsAreParsedByName() throws {
        #expect(try Signals(names: ["gates", "surprisal"]) == [.gates, .surprisal])
        #expect(Signals.all.names == ["surprisal", "burstiness", "gates", "spans", "shapes"])
        let error = try #require(throws: ParameterError.self) { try Signals(names: ["gates", "color"]) }
        #expect(error.description == "unknown signal 'color' in 'signals' (expected one of: surprisal, burstiness, gates, spans, shapes)")
        // A front end spells the parameter its own way.
        #expect(error.message { $0 == .signals ? "'--signals'" : "?" }
                == "unknown signal 'color' in '--signals' (expected one of: surprisal, burstiness, gates, spans, shapes)")
    }

    @Test func defaultsAreValid() throws {
        _ = try BuildPipeline(parameters: BuildParameters())
    }

    func run(threads: Int = 1, embeddings: TokenEmbeddings?, tokenizer: TokenizerIdentity? = nil) throws {
        let source = try MemoryTokenSource(tokens: [1, 2, 3], tokenizer: tokenizer)
        _ = try BuildPipeline(parameters: BuildParameters()).run(source: source, embeddings: embeddings, threads: threads)
    }

    @Test func runOptionsAreChecked() throws {
        func message(_ body: () throws -> Void) throws -> String {
            try #require(throws: ParameterError.self, performing: body).description
        }
        #expect(try message {
            try run(embeddings: TokenEmbeddings(rows: 4, dimension: 8, values: .init(repeating: 1, count: 32), label: "e"))
        } == "'embeddings' has dimension 8 but 'featureDimension' is 32")
        #expect(try message {
            try run(embeddings: TokenEmbeddings(rows: 4, dimension: 32, values: .init(repeating: 1, count: 7), label: "e"))
        } == "'embeddings' holds 7 values, not 4 rows of 32")
        let tokenizer = TokenizerIdentity(name: "r50k_base", sha256: [UInt8](repeating: 0, count: 32), vocabularySize: 50_257)
        #expect(try message {
            try run(embeddings: TokenEmbeddings(rows: 4, dimension: 32, values: .init(repeating: 1, count: 128), label: "e"),
                    tokenizer: tokenizer)
        } == "'embeddings' has 4 rows but tokenizer 'r50k_base' has 50257 token ids")
        var focused = BuildParameters()
        focused.focus = "San Francisco"
        #expect(try message { try focused.validate(embeddings: nil, tokenizer: nil, canTokenizeFocus: false) }
                == "'focus' needs a tokenizer: pass 'tokenizer'")
    }

    @Test func threadCountsBelowOneCountAsOne() throws {
        let tokens = (0..<5_000).map { UInt32($0 * 7 % 300) }
        let zero = try BuildPipeline(parameters: BuildParameters()).run(source: try MemoryTokenSource(tokens: tokens), threads: 0)
        let one = try BuildPipeline(parameters: BuildParameters()).run(source: try MemoryTokenSource(tokens: tokens), threads: 1)
        #expect(zero == one)
    }

    @Test func embeddingsAreUsedAndRecorded() throws {
        var values = [Float](repeating: 0, count: 4 * 32)
        for r in 0..<4 { values[r * 32 + r] = 1 }
        let source = try MemoryTokenSource(tokens: [1, 2, 3])
        let contents = try BuildPipeline(parameters: BuildParameters())
            .run(source: source, embeddings: TokenEmbeddings(rows: 4, dimension: 32, values: values, label: "embeddings:e.npy:ab"))
        #expect(contents.parameters.featureSource == "embeddings:e.npy:ab")
        #expect(contents.dna.vocabularySize == 4)
        // Rows exist for the ids the corpus holds (1, 2, 3): id 2's row is the second.
        #expect(contents.dna.ids == [1, 2, 3])
        #expect(contents.dna.features[1 * 32 + 2] == 127)
    }

    @Test func memorySourceChecksItsDocumentTable() {
        var table = DocumentTable()
        table.append(name: "a", length: 2)
        #expect(throws: ProteusError(.usage, path: "mem", "document table covers 2 tokens but there are 3")) {
            try MemoryTokenSource(name: "mem", tokens: [1, 2, 3], documents: table)
        }
    }

    @Test func readErrorsFromWorkersReachTheCaller() throws {
        // Only chunk reads (50,000 tokens) fail: the statistics pass (65,536-token blocks) works.
        let source = FailingSource(tokens: 300_000, failAt: 200_000, failingReadLength: 50_000)
        var p = BuildParameters()
        p.bufferTokens = 1_000
        p.chunkLength = 50_000
        for threads in [1, 2] {
            #expect(throws: ProteusError.corrupt("broken.tok", at: 800_000, "checksum mismatch")) {
                try BuildPipeline(parameters: p).run(source: source, threads: threads)
            }
        }
    }
}

/// A source whose reads fail from a position on, like a corrupt frame in a file.
final class FailingSource: TokenSource {
    let name = "broken.tok"
    let tokenCount: UInt64
    let failAt: UInt64
    var storedWidth: TokenWidth { .u32 }
    var documents: DocumentTable { DocumentTable(single: name, tokenCount: tokenCount) }
    var tokenizer: TokenizerIdentity? { nil }
    var formatName: String { "test" }
    let failingReadLength: Int
    init(tokens: UInt64, failAt: UInt64, failingReadLength: Int) {
        tokenCount = tokens
        self.failAt = failAt
        self.failingReadLength = failingReadLength
    }
    func makeCursor() throws -> TokenCursor { Cursor(self) }

    final class Cursor: TokenCursor {
        let source: FailingSource
        let buffer = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: 65_536)
        init(_ s: FailingSource) { source = s }
        deinit { buffer.deallocate() }
        func read(start: UInt64, count: Int) throws -> UnsafeBufferPointer<UInt32> {
            let n = Int(min(UInt64(count), source.tokenCount - start))
            if start + UInt64(n) > source.failAt && count == source.failingReadLength { throw ProteusError.corrupt(source.name, at: source.failAt * 4, "checksum mismatch") }
            for i in 0..<min(n, buffer.count) { buffer[i] = UInt32((start + UInt64(i)) % 977) }
            return UnsafeBufferPointer(rebasing: buffer[0..<min(n, buffer.count)])
        }
    }
}
