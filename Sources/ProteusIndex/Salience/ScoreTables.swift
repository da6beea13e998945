#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The cheap part of the DNA score as two lookups: `score = perId[id] + perCount[localCount]`
/// (+ a constant for a short last chunk), in bits.
///
/// Surprisal `s(id)` is how unexpected the id is in the corpus. Burstiness is
/// `log2(localCount / expected)` with `expected = chunkLength * 2^-s(id)`, i.e.
/// `log2(localCount) + s(id) - log2(chunkLength)`: high for an id repeated in its chunk far
/// above its corpus rate, or present at all when it is globally rare. Both terms are
/// separable, which is what makes the per-token loop two table reads.
final class ScoreTables {
    /// `vocabularySize + 1` entries; ids at or past the vocabulary read the last one.
    let perId: UnsafeMutableBufferPointer<Float>
    /// `chunkLength + 1` entries indexed by the id's count in its chunk.
    let perCount: UnsafeMutableBufferPointer<Float>
    let vocabularySize: Int
    let chunkLength: Int
    let burstiness: Bool

    init(surprisal: [Float], vocabularySize: Int, chunkLength: Int, useSurprisal: Bool,
         burstiness: Bool) {
        self.vocabularySize = vocabularySize
        self.chunkLength = chunkLength
        self.burstiness = burstiness
        perId = .allocate(capacity: vocabularySize + 1)
        perCount = .allocate(capacity: chunkLength + 1)
        let logLength = Float(log2(Double(chunkLength)))
        for id in 0...vocabularySize {
            let s = surprisal[id]
            perId[id] = (useSurprisal ? s : 0) + (burstiness ? s - logLength : 0)
        }
        perCount[0] = 0
        for c in 1...chunkLength { perCount[c] = burstiness ? Float(log2(Double(c))) : 0 }
    }

    deinit {
        perId.deallocate()
        perCount.deallocate()
    }

    /// Added to every score of a chunk of `length` tokens: the expected count of a short last
    /// chunk is smaller, so the same local count is more bursty.
    func offset(chunkOfLength length: Int) -> Float {
        guard burstiness, length < chunkLength, length > 0 else { return 0 }
        return Float(log2(Double(chunkLength)) - log2(Double(length)))
    }
}
