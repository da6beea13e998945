import Testing
import Foundation
@testable import ProteusIndex

/// Expected digests were produced by Python's hashlib (`hashlib.sha256(m).hexdigest()`).
@Suite struct SHA256Tests {
    static let vectors: [(message: [UInt8], hex: String)] = [
        ([], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (Array("abc".utf8), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8),
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ([UInt8](repeating: 0x61, count: 1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
        ((0..<1000).map { UInt8($0 * 7 % 251) }, "59425e4412e296fc74736673ce067027f384203f59c0d2c3e6be7b13347b3ffc"),
    ]

    @Test func oneShotMatchesHashlib() {
        for (message, hex) in Self.vectors {
            #expect(SHA256.hex(SHA256.hash(message)) == hex)
        }
    }

    @Test func streamingInAnySplitMatchesOneShot() {
        let (message, hex) = Self.vectors[4]
        for step in [1, 3, 63, 64, 65, 127, 500] {
            var hasher = SHA256()
            var i = 0
            while i < message.count {
                let end = min(i + step, message.count)
                hasher.update(Array(message[i..<end]))
                i = end
            }
            #expect(SHA256.hex(hasher.finalize()) == hex, "step \(step)")
        }
    }

    @Test func rankFileChecksumIsTheKnownOne() throws {
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: TokenizerFixtures.rankFile)))
        #expect(SHA256.hex(SHA256.hash(bytes)) == "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7")
    }
}
