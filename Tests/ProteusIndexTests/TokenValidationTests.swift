import Testing
@testable import ProteusIndex

@Suite struct TokenValidationTests {
    @Test(arguments: [0, 1, 4095, 4096, 4097, 9999])
    func findsTheFirstOffendingPosition(position: Int) {
        var ids = FormatFixtures.ids(10_000, below: 100_277, seed: 9)
        ids[position] = 100_277
        ids[9999] = 4_000_000_000 // a later offender must not win
        ids.withUnsafeBufferPointer { buffer in
            #expect(TokenValidation.firstInvalid(buffer, vocabularySize: 100_277) == position)
        }
    }

    @Test func validWindowsPass() {
        let ids = FormatFixtures.ids(10_000, below: 100_277, seed: 9) + [100_276]
        ids.withUnsafeBufferPointer { buffer in
            #expect(TokenValidation.firstInvalid(buffer, vocabularySize: 100_277) == nil)
            #expect(TokenValidation.firstInvalid(UnsafeBufferPointer(rebasing: buffer[0..<0]), vocabularySize: 1) == nil)
        }
    }

    @Test func errorNamesTokenPositionAndVocabulary() {
        var ids = [UInt32](repeating: 5, count: 1000)
        ids[987 - 500] = 123_456
        let text = FormatFixtures.errorText {
            try ids.withUnsafeBufferPointer {
                try TokenValidation.check($0, start: 500, vocabularySize: 100_277, source: "corpus.bin")
            }
        }
        #expect(text == "corpus.bin: token 123456 at position 987 is ≥ vocabulary size 100277")
    }
}
