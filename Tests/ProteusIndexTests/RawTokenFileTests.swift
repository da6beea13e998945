import Foundation
import Testing
@testable import ProteusIndex

@Suite struct RawTokenFileTests {
    static let windowLengths = [1, 2, 3, 7, 64, 1000, 4096, 4097, 10_007, 20_000]

    @Test(arguments: [TokenWidth.u16, .u32])
    func mappedAndPreadGiveIdenticalWindows(width: TokenWidth) throws {
        let dir = try FormatScratch("raw")
        let ids = FormatFixtures.ids(10_007, below: width == .u16 ? 50_257 : 128_256, seed: 7)
        let bytes = width == .u16 ? FormatFixtures.bytes(ids.map { UInt16($0) }) : FormatFixtures.bytes(ids)
        let path = try dir.write("t.\(width)", bytes)
        let mapped = try RawTokenFile(path: path)
        let pread = try RawTokenFile(path: path, forcePread: true)
        #expect(mapped.isMapped && !pread.isMapped)
        #expect(mapped.storedWidth == width && mapped.tokenCount == 10_007)
        #expect(mapped.formatName == (width == .u16 ? "raw-u16" : "raw-u32"))
        for window in Self.windowLengths {
            #expect(try FormatFixtures.readAll(mapped, window: window) == ids, "mmap, window \(window)")
            #expect(try FormatFixtures.readAll(pread, window: window) == ids, "pread, window \(window)")
        }
        // Random access after releasing everything before the end still reads the right ids.
        let cursor = try mapped.makeCursor()
        cursor.release(before: 10_000)
        #expect(Array(try cursor.read(start: 5, count: 3)) == Array(ids[5..<8]))
        #expect(try cursor.read(start: 10_007, count: 5).isEmpty)
        #expect(Array(try cursor.read(start: 10_005, count: 100)) == Array(ids[10_005...]))
    }

    @Test func mappedU32WindowsPointIntoTheMapping() throws {
        let dir = try FormatScratch("raw")
        let ids = FormatFixtures.ids(5000, below: 100_000, seed: 3)
        let source = try RawTokenFile(path: try dir.write("z.u32", FormatFixtures.bytes(ids)))
        let cursor = try source.makeCursor()
        let window = try cursor.read(start: 1234, count: 1000)
        let expected = source.layout.map!.bytes.baseAddress! + 1234 * 4
        #expect(UnsafeRawPointer(window.baseAddress!) == expected)
        #expect(Array(window) == Array(ids[1234..<2234]))
    }

    @Test func binWithoutHeaderIsNanoGPTU16() throws {
        let dir = try FormatScratch("raw")
        let ids: [UInt16] = [50256, 15496, 11, 995, 0, 65535]
        let source = try RawTokenFile(path: try dir.write("train.bin", FormatFixtures.bytes(ids)))
        #expect(source.storedWidth == .u16)
        #expect(try FormatFixtures.readAll(source, window: 4) == ids.map(UInt32.init))
        #expect(source.documents == DocumentTable(single: source.name, tokenCount: 6))
    }

    @Test(.enabled(if: PeerPython.numpy, "python3 with numpy is not available"))
    func agreesWithNumpysViewOfTheFile() throws {
        let dir = try FormatScratch("raw")
        let path = dir.path + "/np.u16"
        let written = try FormatFixtures.python(["raw", "uint16", "30001", "11", path])
        let viewed = try FormatFixtures.python(["view", "uint16", "0", path])
        #expect(written == viewed && written.count == 30_001)
        #expect(try FormatFixtures.readAll(try RawTokenFile(path: path), window: 4099) == viewed)
        #expect(try FormatFixtures.readAll(try RawTokenFile(path: path, forcePread: true), window: 65_536) == viewed)
    }

    @Test func emptyFileIsRefused() throws {
        let dir = try FormatScratch("raw")
        let path = try dir.write("e.u16", [])
        #expect(FormatFixtures.errorText { _ = try RawTokenFile(path: path) } == "\(path): file is empty")
    }

    @Test func oddByteCountIsRefused() throws {
        let dir = try FormatScratch("raw")
        let path = try dir.write("odd.u16", [UInt8](repeating: 1, count: 1001))
        #expect(FormatFixtures.errorText { _ = try RawTokenFile(path: path) }
                == "\(path): size 1001 is not a multiple of 2 (u16 tokens)")
    }

    @Test func u32SizeMustBeAMultipleOfFour() throws {
        let dir = try FormatScratch("raw")
        let path = try dir.write("x.bin", [UInt8](repeating: 1, count: 1002))
        #expect(FormatFixtures.errorText { _ = try RawTokenFile(path: path, width: .u32) }
                == "\(path): size 1002 is not a multiple of 4 (u32 tokens)")
    }

    @Test func unknownExtensionNeedsADtype() throws {
        let dir = try FormatScratch("raw")
        let path = try dir.write("tokens.dat", [1, 2])
        let e = FormatFixtures.errorText { _ = try RawTokenFile(path: path) }
        #expect(e == "\(path): cannot tell the token width from extension '.dat'; pass --dtype u16 or --dtype u32")
    }

    @Test func binWithLLMCHeaderIsNotReadAsTokens() throws {
        let dir = try FormatScratch("raw")
        var header = [UInt8](repeating: 0, count: 1024)
        header.replaceSubrange(0..<4, with: FormatFixtures.bytes([Int32(20240520)]))
        let path = try dir.write("shard.bin", header)
        #expect(FormatFixtures.errorText { _ = try RawTokenFile(path: path) }
                == "\(path): starts with an llm.c header (magic 20240520); read it as an llm.c shard (--format llmc)")
    }
}
