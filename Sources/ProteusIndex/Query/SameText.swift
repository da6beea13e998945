#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Answers that repeat another's text: a corpus that repeats a passage (a licence in every
/// package, a header in every file, a notice in every log) would fill the answers with copies
/// of it, and a different answer just below them would never be shown. Copies differ in their
/// whitespace (indented otherwise, wrapped otherwise) and in where the passage was cut (a
/// sentence longer than the reach ends at another word when its line breaks fall elsewhere),
/// so a passage is compared by its words, and one whose words stand whole in a better answer's
/// adds nothing to it (`AnswerCollector.offer`).
struct AnswerText: Equatable {
    /// The passage's words in order with one space between them; without a tokenizer, the
    /// bytes of its ids.
    let words: [UInt8]
    /// Made of ids, not words: it holds only the same ids (a match of their bytes may start
    /// inside an id).
    var isIDs = false
    /// A bit per word (a run of letters and digits), by its hash: the words of a text that
    /// stands whole in another are among the other's, so a bit this one lacks rules it out in
    /// one instruction (most passages compared hold none of each other).
    let signature: UInt64

    init(words: [UInt8]) {
        self.words = words
        signature = words.withUnsafeBufferPointer { Self.signature(of: $0) }
    }

    fileprivate init(words: [UInt8], signature: UInt64) {
        self.words = words
        self.signature = signature
    }

    static func signature(of words: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var signature = Signature()
        for b in words { signature.add(b) }
        return signature.value
    }

    /// `signature` built a byte at a time: a word's FNV-1a hash sets one of 64 bits when the
    /// word ends.
    struct Signature {
        private var bits: UInt64 = 0, hash: UInt64 = 0, inWord = false

        @inline(__always)
        mutating func add(_ b: UInt8) {
            if JoinedPairs.isWordByte(b) {
                hash = ((inWord ? hash : 0xcbf2_9ce4_8422_2325) ^ UInt64(b)) &* 0x0000_0100_0000_01b3
                inWord = true
            } else if inWord {
                bits |= 1 << (hash >> 58)
                inWord = false
            }
        }

        var value: UInt64 { inWord ? bits | 1 << (hash >> 58) : bits }
    }

    /// Places `holds` compares at most.
    static let comparedPlaces = 1_024

    /// Whether `other`'s words stand in these, from a word's start to a word's end ("is 12"
    /// does not stand in "is 123", nor "2003" in "12003").
    func holds(_ other: AnswerText) -> Bool {
        let n = other.words.count, m = words.count
        guard n > 0, n <= m, other.signature & ~signature == 0 else { return false }
        if n == m || isIDs || other.isIDs { return words == other.words }
        return words.withUnsafeBytes { hay in
            other.words.withUnsafeBytes { needle in
                let opensWord = JoinedPairs.isWordByte(needle[0]), closesWord = JoinedPairs.isWordByte(needle[n - 1])
                // Each place the first byte stands (memchr), compared whole (memcmp); past
                // `comparedPlaces` the words count as another text (a line of one repeated
                // word would cost a comparison at every byte).
                var from = 0, places = 0
                while from + n <= m, places < Self.comparedPlaces,
                      let hit = memchr(hay.baseAddress! + from, Int32(needle[0]), m - n + 1 - from) {
                    places += 1
                    let at = hay.baseAddress!.distance(to: UnsafeRawPointer(hit))
                    let startsWhole = at == 0 || !opensWord || !JoinedPairs.isWordByte(hay[at - 1])
                    let endsWhole = at + n == m || !closesWord || !JoinedPairs.isWordByte(hay[at + n])
                    if startsWhole && endsWhole && memcmp(hay.baseAddress! + at, needle.baseAddress!, n) == 0 { return true }
                    from = at + 1
                }
                return false
            }
        }
    }
}

extension TokenShapes {
    /// The words of `tokens`' text (`AnswerText`): whitespace between words becomes one space,
    /// whitespace around them goes. Every passage offered as an answer makes one, so it is
    /// written in place in one pass.
    func answerText(_ tokens: UnsafeBufferPointer<UInt32>) -> AnswerText {
        guard let ranks = tokenizer?.ranks else {
            var text = AnswerText(words: tokens.flatMap { t in withUnsafeBytes(of: t.littleEndian) { Array($0) } })
            text.isIDs = true
            return text
        }
        var most = 0
        for t in tokens { most += ranks.bytes(ofRank: t)?.count ?? 6 }
        var signature = AnswerText.Signature()
        let words = [UInt8](unsafeUninitializedCapacity: most) { out, count in
            var n = 0, space = false
            for t in tokens {
                guard let bytes = ranks.bytes(ofRank: t) else {
                    // An id without bytes (a special token): a word of its own, a zero byte
                    // and its four bytes.
                    if n > 0 { out[n] = 0x20; n += 1 }
                    out[n] = 0
                    withUnsafeBytes(of: t.littleEndian) { for (k, b) in $0.enumerated() { out[n + 1 + k] = b } }
                    n += 5
                    space = true
                    continue
                }
                for b in bytes {
                    signature.add(b)
                    if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0B || b == 0x0C {
                        space = true
                    } else {
                        if space && n > 0 { out[n] = 0x20; n += 1 }
                        out[n] = b
                        n += 1
                        space = false
                    }
                }
            }
            count = n
        }
        return AnswerText(words: words, signature: signature.value)
    }
}
