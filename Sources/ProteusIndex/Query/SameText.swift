/// Answers with the same text: a corpus that repeats a passage (a licence in every package, a
/// header in every file, a notice in every log) would fill the answers with copies of it, and
/// a different answer just below them would never be shown. The collector keeps one passage
/// per text (`AnswerCollector.offer`), told by this key.
extension TokenShapes {
    /// A hash of the passage's words in order: the same for two passages whose text differs
    /// only in the whitespace between words or around them (a copy indented otherwise, or
    /// starting on another line), different when a character differs. Without a tokenizer,
    /// a hash of the ids.
    func textKey(_ tokens: UnsafeBufferPointer<UInt32>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        func mix(_ b: UInt8) { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        guard let ranks = tokenizer?.ranks else {
            for t in tokens { withUnsafeBytes(of: t.littleEndian) { for b in $0 { mix(b) } } }
            return h
        }
        var wrote = false, space = false
        for t in tokens {
            guard let bytes = ranks.bytes(ofRank: t) else {
                // An id beyond the tokenizer's table: itself, as a word of its own.
                if wrote { mix(0x20) }
                withUnsafeBytes(of: t.littleEndian) { for b in $0 { mix(b) } }
                wrote = true
                space = false
                continue
            }
            for b in bytes {
                if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0B || b == 0x0C {
                    space = true
                    continue
                }
                if space && wrote { mix(0x20) }
                mix(b)
                wrote = true
                space = false
            }
        }
        return h
    }
}
