import Testing
import Foundation
@testable import ProteusIndex

/// XXH64 against the reference: the published vectors, and the system's libxxhash (the
/// reference C implementation, loaded with dlopen because its headers are not installed).
@Suite struct IndexFileChecksumTests {
    typealias ReferenceXXH64 = @convention(c) (UnsafeRawPointer?, Int, UInt64) -> UInt64
    static let reference: ReferenceXXH64? = {
        guard let lib = dlopen("libxxhash.so.0", RTLD_NOW), let sym = dlsym(lib, "XXH64") else { return nil }
        return unsafeBitCast(sym, to: ReferenceXXH64.self)
    }()

    @Test func publishedVectors() {
        #expect(XXH64.hash(Array("".utf8)) == 0xEF46_DB37_51D8_E999)
        #expect(XXH64.hash(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXH64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
    }

    @Test(.enabled(if: reference != nil, "libxxhash.so.0 not installed"))
    func matchesLibxxhashForEveryLengthSeedAndSplit() {
        let reference = Self.reference!
        var rng = SplitMix(seed: 7)
        let data = (0..<300).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        data.withUnsafeBytes { all in
            for length in 0...data.count {
                let bytes = UnsafeRawBufferPointer(rebasing: all[0..<length])
                for seed: UInt64 in [0, 1, 0x9E37_79B1_85EB_CA87] {
                    #expect(XXH64.hash(bytes, seed: seed) == reference(bytes.baseAddress, length, seed), "length \(length)")
                }
                // Streaming in uneven pieces gives the one-shot result.
                var h = XXH64(seed: 5)
                var at = 0, step = 1
                while at < length {
                    let n = min(step, length - at)
                    h.update(UnsafeRawBufferPointer(rebasing: bytes[at..<at + n]))
                    at += n
                    step = step * 3 % 37 + 1
                }
                #expect(h.digest() == reference(bytes.baseAddress, length, 5), "streamed length \(length)")
            }
        }
    }
}
