import Foundation
import Testing
@testable import ProteusIndex

/// Hand-made `.idx` files: odd layouts and every refusal. What megatron-core's own builder
/// writes is checked in `MegatronCoreTests`.
@Suite struct MegatronDatasetTests {
    /// An `.idx` laid out like Megatron's `_IndexWriter`; the counts can be overridden to
    /// build hostile headers.
    static func idx(dtype: UInt8 = 8, version: UInt64 = 1, lengths: [Int32], pointers: [Int64],
                    documents: [Int64], sequenceCount: UInt64? = nil, documentCount: UInt64? = nil) -> [UInt8] {
        Array("MMIDIDX".utf8) + [0, 0] + FormatFixtures.bytes([version]) + [dtype]
            + FormatFixtures.bytes([sequenceCount ?? UInt64(lengths.count), documentCount ?? UInt64(documents.count)])
            + FormatFixtures.bytes(lengths) + FormatFixtures.bytes(pointers) + FormatFixtures.bytes(documents)
    }

    @Test func sequencesOutOfFileOrderAndOddPointersReadInIndexOrder() throws {
        let dir = try FormatScratch("megatron")
        // .bin holds one padding byte, then C (2 tokens), then B (3 tokens), then A (1 token);
        // the index lists A, B, C, so every pointer is odd and the order is reversed.
        let a: [UInt16] = [7], b: [UInt16] = [300, 301, 302], c: [UInt16] = [65535, 9]
        let bin = [0xEE] + FormatFixtures.bytes(c) + FormatFixtures.bytes(b) + FormatFixtures.bytes(a)
        try dir.write("r.bin", bin)
        try dir.write("r.idx", Self.idx(lengths: [1, 3, 2], pointers: [11, 5, 1], documents: [0, 2, 3]))
        let expected = (a + b + c).map(UInt32.init)
        for forcePread in [false, true] {
            let source = try MegatronDataset(path: dir.path + "/r", forcePread: forcePread)
            #expect(source.layout.segments.count == 3)
            #expect(source.documents.lengths == [4, 2])
            for window in [1, 2, 4, 6, 10] {
                #expect(try FormatFixtures.readAll(source, window: window) == expected, "window \(window)")
            }
        }
    }

    @Test func int32WindowsInsideOneSequenceAreZeroCopy() throws {
        let dir = try FormatScratch("megatron")
        let ids = FormatFixtures.ids(100, below: 200_000, seed: 5)
        try dir.write("z.bin", FormatFixtures.bytes(ids))
        try dir.write("z.idx", Self.idx(dtype: 4, lengths: [60, 40], pointers: [0, 240], documents: [0, 2]))
        let source = try MegatronDataset(path: dir.path + "/z.bin")
        let cursor = try source.makeCursor()
        let w = try cursor.read(start: 70, count: 20)
        #expect(UnsafeRawPointer(w.baseAddress!) == source.layout.map!.bytes.baseAddress! + 280)
        #expect(Array(w) == Array(ids[70..<90]))
        withExtendedLifetime(cursor) {}
    }

    @Test func int32AtAnOddPointerIsCopiedNotMisread() throws {
        let dir = try FormatScratch("megatron")
        let ids: [UInt32] = [100_000, 1, 0xFFFF_FFFF, 42, 7]
        try dir.write("u.bin", [0xAB] + FormatFixtures.bytes(ids))
        try dir.write("u.idx", Self.idx(dtype: 4, lengths: [5], pointers: [1], documents: [0, 1]))
        for forcePread in [false, true] {
            let source = try MegatronDataset(path: dir.path + "/u", forcePread: forcePread)
            for window in [1, 2, 5] {
                #expect(try FormatFixtures.readAll(source, window: window) == ids, "window \(window)")
            }
        }
    }

    func refusal(_ idx: [UInt8], bin: Int = 64) throws -> (String, String) {
        let dir = try FormatScratch("megatron")
        try dir.write("d.bin", [UInt8](repeating: 1, count: bin))
        let path = try dir.write("d.idx", idx)
        return (path, FormatFixtures.errorText { _ = try MegatronDataset(path: dir.path + "/d") })
    }

    @Test func pointerPastTheEndOfTheBinIsRefused() throws {
        let dir = try FormatScratch("megatron")
        try dir.write("p.bin", [UInt8](repeating: 0, count: 6000))
        let lengths = [Int32](repeating: 0, count: 12) + [2048]
        let pointers = [Int64](repeating: 0, count: 12) + [4096]
        let idx = try dir.write("p.idx", Self.idx(lengths: lengths, pointers: pointers, documents: [0, 13]))
        #expect(FormatFixtures.errorText { _ = try MegatronDataset(path: dir.path + "/p") }
                == "\(idx): sequence 12 points to bytes 4096..8192 beyond the end of \(dir.path)/p.bin (6000 bytes)")
    }

    @Test func versionOtherThanOneIsRefused() throws {
        let (path, e) = try refusal(Self.idx(version: 2, lengths: [1], pointers: [0], documents: [0, 1]))
        #expect(e == "\(path): at byte 9: unsupported MMIDIDX version 2 (expected 1)")
    }

    @Test func overflowingCountsAreRefusedBeforeAllocating() throws {
        let (path, e) = try refusal(Self.idx(lengths: [], pointers: [], documents: [0], sequenceCount: 1 << 61))
        #expect(e == "\(path): at byte 18: header announces 2305843009213693952 sequences and 1 document indices: their size overflows 64 bits")
    }

    @Test func indexShorterThanItsArraysIsRefused() throws {
        let (path, e) = try refusal(Self.idx(lengths: [1], pointers: [0], documents: [0, 1], sequenceCount: 1_000_000))
        #expect(e == "\(path): index holds 62 bytes but 1000000 sequences and 2 document indices need 12000050")
    }

    @Test func floatDtypeIsRefused() throws {
        let (path, e) = try refusal(Self.idx(dtype: 7, lengths: [1], pointers: [0], documents: [0, 1]))
        #expect(e == "\(path): at byte 17: dtype float32 holds floating-point values, not token ids")
    }

    @Test func int64DtypeIsRefused() throws {
        let (path, e) = try refusal(Self.idx(dtype: 5, lengths: [1], pointers: [0], documents: [0, 1]))
        #expect(e == "\(path): at byte 17: dtype int64 is not supported for token ids (use uint16 or int32)")
    }

    @Test func unknownDtypeIsRefused() throws {
        let (path, e) = try refusal(Self.idx(dtype: 42, lengths: [1], pointers: [0], documents: [0, 1]))
        #expect(e == "\(path): at byte 17: unknown dtype code 42")
    }

    @Test func wrongMagicIsRefused() throws {
        var bytes = Self.idx(lengths: [1], pointers: [0], documents: [0, 1])
        bytes[0] = UInt8(ascii: "X")
        let (path, e) = try refusal(bytes)
        #expect(e == "\(path): at byte 0: not a Megatron index: it does not start with MMIDIDX")
    }

    @Test func truncatedHeaderIsRefused() throws {
        let (path, e) = try refusal(Array(Self.idx(lengths: [], pointers: [], documents: [0]).prefix(20)))
        #expect(e == "\(path): truncated MMIDIDX header: the file holds 20 bytes, the header needs 34")
    }

    @Test func negativeLengthIsRefused() throws {
        let (path, e) = try refusal(Self.idx(lengths: [-3], pointers: [0], documents: [0, 1]))
        #expect(e == "\(path): at byte 34: sequence 0 has negative length -3")
    }

    @Test func fallingDocumentIndicesAreRefused() throws {
        let (path, e) = try refusal(Self.idx(lengths: [1, 1], pointers: [0, 2], documents: [0, 2, 1]))
        #expect(e == "\(path): at byte 74: document index 2 is 1: indices must rise from 0 to the sequence count 2")
    }

    @Test func documentIndicesMustEndAtTheSequenceCount() throws {
        let (path, e) = try refusal(Self.idx(lengths: [1, 1], pointers: [0, 2], documents: [0, 1]))
        #expect(e == "\(path): last document index is 1 but there are 2 sequences")
    }

    @Test func missingBinIsReported() throws {
        let dir = try FormatScratch("megatron")
        try dir.write("only.idx", Self.idx(lengths: [], pointers: [], documents: [0]))
        #expect(FormatFixtures.errorText { _ = try MegatronDataset(path: dir.path + "/only.idx") }
                == "\(dir.path)/only.bin: cannot open: No such file or directory (errno 2)")
    }
}
