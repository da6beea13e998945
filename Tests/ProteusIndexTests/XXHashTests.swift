import Testing
import Foundation
@testable import ProteusIndex

@Suite struct XXHashTests {
    /// xxHash's own sanity-check buffer (cli/xsum_sanity_check.c, XSUM_fillTestBuffer).
    static func sanityBuffer(_ n: Int) -> [UInt8] {
        var gen: UInt64 = 2_654_435_761
        return (0..<n).map { _ in
            defer { gen = gen &* 11_400_714_785_074_694_797 }
            return UInt8(gen >> 56)
        }
    }

    // Vectors published in xxHash's cli/xsum_sanity_check.c (XSUM_XXH32_testdata / XSUM_XXH64_testdata).
    static let prime32: UInt32 = 2_654_435_761

    @Test(arguments: [(0, 0, 0x02CC5D05), (0, prime32, 0x36B78AE7), (1, 0, 0xCF65B03E), (1, prime32, 0xB4545AA4),
                      (14, 0, 0x1208E7E2), (14, prime32, 0x6AF1D1FE), (222, 0, 0x5BD11DBD), (222, prime32, 0x58803C5F)]
                     as [(Int, UInt32, UInt32)])
    func xxh32PublishedVectors(length: Int, seed: UInt32, expected: UInt32) {
        #expect(XXH32.hash(Self.sanityBuffer(length), seed: seed) == expected)
    }

    @Test(arguments: [(0, 0, 0xEF46DB3751D8E999), (0, UInt64(prime32), 0xAC75FDA2929B17EF), (1, 0, 0xE934A84ADB052768),
                      (1, UInt64(prime32), 0x5014607643A9B4C3), (4, 0, 0x9136A0DCA57457EE), (14, 0, 0x8282DCC4994E35C8),
                      (14, UInt64(prime32), 0xC3BD6BF63DEB6DF0), (222, 0, 0xB641AE8CB691C174),
                      (222, UInt64(prime32), 0x20CB8AB7AE10C14A)] as [(Int, UInt64, UInt64)])
    func xxh64PublishedVectors(length: Int, seed: UInt64, expected: UInt64) {
        let data = Self.sanityBuffer(length)
        #expect(XXH64.hash(data, seed: seed) == expected)
        var whole = XXH64(seed: seed)
        data.withUnsafeBytes { whole.update($0) }
        #expect(whole.digest() == expected)
        var bytewise = XXH64(seed: seed)
        for b in data { withUnsafeBytes(of: b) { bytewise.update($0) } }
        #expect(bytewise.digest() == expected)
    }

    @Test func xxh64StreamingMatchesOneShotForAnySplit() {
        let data = Self.sanityBuffer(1000)
        let oneShot = XXH64.hash(data)
        for step in [1, 3, 7, 31, 32, 33, 64, 999] {
            var h = XXH64()
            var i = 0
            while i < data.count {
                let j = min(i + step, data.count)
                data[i..<j].withUnsafeBytes { h.update($0) }
                i = j
            }
            #expect(h.digest() == oneShot, "step \(step)")
        }
    }

    /// The zstd CLI ends each frame with the low 32 bits of XXH64 (seed 0) of the content.
    @Test func xxh64MatchesTheChecksumZstdWrites() throws {
        for n in [0, 1, 3, 4, 7, 8, 31, 32, 33, 63, 64, 100, 1000, 4097] {
            let data = Self.sanityBuffer(n)
            let r = try TokTestSupport.run("zstd", ["-q", "--check", "-c", "-"], stdin: Data(data))
            #expect(r.status == 0)
            let stored = r.stdout.suffix(4).withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
            #expect(UInt32(truncatingIfNeeded: XXH64.hash(data)) == stored, "length \(n)")
        }
    }

    /// An LZ4 frame built by hand with XXH32 header and content checksums passes `lz4 -t` and
    /// `lz4 -dc` returns the content: both checksums are what liblz4 computes.
    @Test func xxh32MatchesTheChecksumsLz4Verifies() throws {
        let dir = try TokTestSupport.temporaryFolder("xxh32")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for n in [1, 15, 16, 17, 100, 5000] {
            let data = Self.sanityBuffer(n)
            let descriptor: [UInt8] = [0b0110_0100, 0x40] // version 1, independent blocks, content checksum; 64 KiB blocks
            var frame: [UInt8] = [0x04, 0x22, 0x4D, 0x18] + descriptor
            frame.append(UInt8((XXH32.hash(descriptor) >> 8) & 0xFF))
            frame += withUnsafeBytes(of: (UInt32(n) | 0x8000_0000).littleEndian, Array.init) + data // stored block
            frame += [0, 0, 0, 0]
            frame += withUnsafeBytes(of: XXH32.hash(data).littleEndian, Array.init)
            let path = dir + "/f\(n).lz4"
            try Data(frame).write(to: URL(fileURLWithPath: path))
            let r = try TokTestSupport.run("lz4", ["-dc", path])
            #expect(r.status == 0, "length \(n): \(r.stderr)")
            #expect(r.stdout == Data(data))
        }
    }
}
