/// `decode` as a library call: the text of a range of a token source, in whole UTF-8
/// characters, handed out step by step so any range decodes in bounded memory.
public enum TokenDecoding {
    /// Decodes tokens `range` of `source` with `tokenizer` and passes the bytes to `write` in
    /// pieces that never end inside a multi-byte character (one split across steps waits).
    public static func decode(_ source: TokenSource, range: Range<UInt64>, tokenizer: Tokenizer,
                              step: Int = 1 << 16, write: (ArraySlice<UInt8>) -> Void) throws {
        let cursor = try source.makeCursor()
        var position = range.lowerBound
        var pending: [UInt8] = []
        while position < range.upperBound {
            let n = Int(min(UInt64(step), range.upperBound - position))
            let tokens = try cursor.read(start: position, count: n)
            pending += try tokenizer.decode(tokens)
            let cut = lastCompletePrefix(pending)
            write(pending[..<cut])
            pending.removeFirst(cut)
            position += UInt64(tokens.count)
        }
        write(pending[...])
    }

    /// Length of the longest prefix of `bytes` that does not end inside a multi-byte character.
    static func lastCompletePrefix(_ bytes: [UInt8]) -> Int {
        var i = bytes.count
        var back = 0
        while i > 0 && back < 4 {
            let b = bytes[i - 1]
            if b & 0xC0 != 0x80 {
                let need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
                return back + 1 >= need ? bytes.count : i - 1
            }
            i -= 1
            back += 1
        }
        return bytes.count
    }
}
