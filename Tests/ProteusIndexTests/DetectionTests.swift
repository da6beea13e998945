import Foundation
import Testing
@testable import ProteusIndex

@Suite struct DetectionTests {
    static func llmcHeader(_ magic: Int32, _ version: Int32) -> [UInt8] {
        var words = [Int32](repeating: 0, count: 256)
        words[0] = magic; words[1] = version
        return FormatFixtures.bytes(words)
    }

    @Test func tokHeaderIsRecognisedWhateverTheExtension() throws {
        let dir = try FormatScratch("detect")
        let header = FormatFixtures.bytes([UInt32(0x184D_2A50), 16]) + Array("PTOK".utf8) + [UInt8](repeating: 0, count: 12)
        #expect(try TokenFormatDetection.detect(path: try dir.write("c.tok", header)) == .tok)
        #expect(try TokenFormatDetection.detect(path: try dir.write("c.zst", header)) == .tok)
    }

    @Test func llmcMagicDecidesTheVersion() throws {
        let dir = try FormatScratch("detect")
        #expect(try TokenFormatDetection.detect(path: try dir.write("a.bin", Self.llmcHeader(20240520, 1))) == .llmc(version: 1))
        #expect(try TokenFormatDetection.detect(path: try dir.write("b.bin", Self.llmcHeader(20240801, 7))) == .llmc(version: 7))
    }

    @Test func megatronIsFoundFromBinIdxOrPrefix() throws {
        let dir = try FormatScratch("detect")
        try dir.write("m.bin", [1, 0])
        try dir.write("m.idx", MegatronDatasetTests.idx(lengths: [1], pointers: [0], documents: [0, 1]))
        let prefix = dir.path + "/m"
        for path in [prefix, prefix + ".bin", prefix + ".idx"] {
            #expect(try TokenFormatDetection.detect(path: path) == .megatron(prefix: prefix))
        }
        let source = try TokenFormatDetection.open(path: prefix, format: .megatron(prefix: prefix))
        #expect(source?.formatName == "megatron" && source?.tokenCount == 1)
    }

    @Test func rawWidthComesFromTheExtension() throws {
        let dir = try FormatScratch("detect")
        #expect(try TokenFormatDetection.detect(path: try dir.write("x.u16", [1, 2])) == .rawU16)
        #expect(try TokenFormatDetection.detect(path: try dir.write("x.u32", [1, 2, 3, 4])) == .rawU32)
        #expect(try TokenFormatDetection.detect(path: try dir.write("train.bin", [0x50, 0xC4])) == .rawU16)
        // Text is checked before the extension is trusted: a text file renamed .bin is text.
        let text = try dir.write("t.bin", Array("hello world!".utf8))
        #expect(FormatFixtures.errorText { _ = try TokenFormatDetection.detect(path: text) }
                == "\(text): looks like text, not .bin tokens; tokenize it with `proteus-index encode` (or pass --dtype if it does hold tokens)")
        #expect(try TokenFormatDetection.detect(path: text, override: nil, dtype: .u16) == .rawU16)
    }

    @Test func plainZstdIsRefusedWithTheConvertHint() throws {
        let dir = try FormatScratch("detect")
        let plain = dir.path + "/p.u16"
        try dir.write("p.u16", [1, 0, 2, 0, 3, 0])
        let zst = dir.path + "/p.zst"
        let zstd = Process()
        zstd.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        zstd.arguments = ["zstd", "-q", "-f", plain, "-o", zst]
        try zstd.run(); zstd.waitUntilExit()
        #expect(zstd.terminationStatus == 0)
        #expect(FormatFixtures.errorText { _ = try TokenFormatDetection.detect(path: zst) }
                == "\(zst): is a plain zstd stream, not a .tok file; convert it with `proteus-index convert`")
    }

    @Test func plainLZ4IsRefusedWithTheConvertHint() throws {
        let dir = try FormatScratch("detect")
        let plain = try dir.write("p.u16", [1, 0, 2, 0, 3, 0])
        let out = dir.path + "/p.lz4"
        let lz4 = Process()
        lz4.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        lz4.arguments = ["lz4", "-q", "-f", plain, out]
        try lz4.run(); lz4.waitUntilExit()
        #expect(lz4.terminationStatus == 0)
        #expect(FormatFixtures.errorText { _ = try TokenFormatDetection.detect(path: out) }
                == "\(out): is a plain lz4 stream, not a .tok file; convert it with `proteus-index convert`")
    }

    @Test func textIsRefusedWithTheEncodeHint() throws {
        let dir = try FormatScratch("detect")
        let path = try dir.write("essay.txt", Array("The best thing to do in San Francisco — café.\n".utf8))
        #expect(FormatFixtures.errorText { _ = try TokenFormatDetection.detect(path: path) }
                == "\(path): looks like text; tokenize it with `proteus-index encode`")
    }

    @Test func textCutInsideACharacterByTheSniffWindowIsStillText() throws {
        let dir = try FormatScratch("detect")
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 4095) + Array("é and more".utf8)
        let path = try dir.write("long.jsonl", bytes)
        #expect(FormatFixtures.errorText { _ = try TokenFormatDetection.detect(path: path) }
                == "\(path): looks like text; tokenize it with `proteus-index encode`")
    }

    @Test func unknownBinaryAsksForFormatOrDtype() throws {
        let dir = try FormatScratch("detect")
        let path = try dir.write("tokens.dat", [0x00, 0x01, 0xFF, 0xFE])
        #expect(FormatFixtures.errorText { _ = try TokenFormatDetection.detect(path: path) }
                == "\(path): cannot tell the token format (extension '.dat', no known magic bytes); pass --format (tok, raw-u16, raw-u32, llmc, megatron) or --dtype u16/u32")
    }

    @Test func knownFormatsAreNamedInsteadOfAskingForTheFormat() throws {
        let dir = try FormatScratch("detect")
        let cases: [(String, [UInt8], String)] = [
            ("a.gz", [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0, 3], "is a gzip stream, not a token file; decompress it first (gzip -dk)"),
            ("a.bin", [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0, 3], "is a gzip stream, not a token file; decompress it first (gzip -dk)"),
            ("p.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13], "is a PNG image, not a token file"),
            ("i.phb", IndexFormat.magic + [1, 0, 0, 0], "is a proteus-index index (.phb), not a token file; ask it with `proteus-index query`"),
            ("m.pyc", [0xA7, 0x0D, 0x0D, 0x0A] + [UInt8](repeating: 0, count: 12), "is compiled Python bytecode, not a token file"),
            ("u.txt", [0xFF, 0xFE, 0x41, 0x00], "is UTF-16 text, not a token file; convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)"),
        ]
        for (name, bytes, message) in cases {
            let path = try dir.write(name, bytes)
            #expect(FormatFixtures.errorText { _ = try TokenFormatDetection.detect(path: path) } == "\(path): \(message)")
        }
    }

    @Test func emptyFileIsRefused() throws {
        let dir = try FormatScratch("detect")
        let path = try dir.write("empty.u16", [])
        #expect(FormatFixtures.errorText { _ = try TokenFormatDetection.detect(path: path) } == "\(path): file is empty")
    }

    @Test func formatOverrideNamesParse() throws {
        #expect(try TokenFormatName(parsing: "raw-u32").format(for: "x.dat") == .rawU32)
        #expect(try TokenFormatName(parsing: "LLMC").format(for: "x.dat") == .llmc(version: nil))
        #expect(try TokenFormatName(parsing: "megatron").format(for: "d/x.idx") == .megatron(prefix: "d/x"))
        #expect(try TokenFormatDetection.detect(path: "/nonexistent.dat", override: .tok) == .tok)
        #expect(FormatFixtures.errorText { _ = try TokenFormatName(parsing: "npy") }
                == "unknown format 'npy'; expected one of: tok, raw-u16, raw-u32, llmc, megatron")
    }

    @Test func dtypeMakesAnyFileRawButNotATokFile() throws {
        let dir = try FormatScratch("detect")
        let path = try dir.write("tokens.dat", [0x00, 0x01, 0xFF, 0xFE])
        #expect(try TokenFormatDetection.detect(path: path, override: nil, dtype: try TokenWidth(parsing: "uint32")) == .rawU32)
        #expect(try TokenFormatDetection.detect(path: path, override: .rawU16, dtype: .u32) == .rawU16)
        let tok = try dir.write("c.tok", FormatFixtures.bytes([UInt32(0x184D_2A50), 4]) + Array("PTOK".utf8))
        #expect(try TokenFormatDetection.detect(path: tok, override: nil, dtype: .u16) == .tok)
        #expect(FormatFixtures.errorText { _ = try TokenWidth(parsing: "f32") } == "unknown dtype 'f32'; expected u16 or u32")
    }

    @Test func forcedFormatOpensAFileOfAnyName() throws {
        let dir = try FormatScratch("detect")
        let path = try dir.write("tokens.dat", FormatFixtures.bytes([UInt32(9), 70_000]))
        let source = try TokenFormatDetection.open(path: path, format: try TokenFormatName(parsing: "raw-u32").format(for: path))
        #expect(try FormatFixtures.readAll(source!, window: 1) == [9, 70_000])
        #expect(try TokenFormatDetection.open(path: path, format: .tok) == nil)
    }

    @Test func directoryInputsExpandAndMegatronIdxIsListedOnce() throws {
        let dir = try FormatScratch("detect")
        try dir.write("d/m.bin", [1, 0])
        try dir.write("d/m.idx", [0])
        try dir.write("d/lonely.idx", [0])
        try dir.write("d/x.u16", [1, 0])
        let inputs = try TokenFormatDetection.inputFiles([dir.path + "/d", "/some/file.u16"])
        #expect(inputs == ["d/lonely.idx", "d/m.bin", "d/x.u16"].map { dir.path + "/" + $0 } + ["/some/file.u16"])
    }
}
