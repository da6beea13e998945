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

    /// Bits added to an identifier-shaped token (`IdentifierShapes`): in text that never
    /// repeats, a needle's rare words tie with every other word seen once, but a key, a
    /// number or a UUID is built of pieces that prose seldom holds.
    static let shapeBonus: Float = 4

    init(surprisal: [Float], vocabularySize: Int, chunkLength: Int, useSurprisal: Bool,
         burstiness: Bool, identifierShapes: [Bool]? = nil) {
        self.vocabularySize = vocabularySize
        self.chunkLength = chunkLength
        self.burstiness = burstiness
        perId = .allocate(capacity: vocabularySize + 1)
        perCount = .allocate(capacity: chunkLength + 1)
        let logLength = Float(log2(Double(chunkLength)))
        for id in 0...vocabularySize {
            let s = surprisal[id]
            perId[id] = (useSurprisal ? s : 0) + (burstiness ? s - logLength : 0)
            if let shapes = identifierShapes, id < shapes.count, shapes[id] { perId[id] += Self.shapeBonus }
        }
        perCount[0] = 0
        for c in 1...chunkLength { perCount[c] = burstiness ? Float(log2(Double(c))) : 0 }
    }

    deinit {
        perId.deallocate()
        perCount.deallocate()
    }

    // A short last chunk is scored as if it were a whole one. Its expected counts are
    // smaller, but correcting for that raised every one of its tokens by log2(chunk / length)
    // bits, and its champions then took most of the buffer from the rest of the corpus.
}
