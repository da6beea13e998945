/// Checks that token ids fit a vocabulary before they index any per-token table.
///
/// The common case (every id valid) costs one max-reduction per block, which LLVM
/// vectorizes (`vpmaxud`); only a block whose maximum is out of range is scanned again to
/// find the first offending position.
public enum TokenValidation {
    /// Block length: small enough that the rescan of a bad block is cheap, large enough
    /// that the per-block branch is noise.
    static let blockLength = 4096

    /// Index in `tokens` of the first id `>= vocabularySize`, or nil when all are valid.
    public static func firstInvalid(_ tokens: UnsafeBufferPointer<UInt32>, vocabularySize: UInt32) -> Int? {
        guard let base = tokens.baseAddress else { return nil }
        var blockStart = 0
        while blockStart < tokens.count {
            let n = min(blockLength, tokens.count - blockStart)
            if maximum(base + blockStart, count: n) >= vocabularySize {
                for i in blockStart..<(blockStart + n) where base[i] >= vocabularySize { return i }
            }
            blockStart += n
        }
        return nil
    }

    /// Throws a data error naming the first out-of-range id of a window that starts at
    /// stream position `start` of `source`:
    /// "corpus.bin: token 123456 at position 987 is ≥ vocabulary size 100277".
    public static func check(_ tokens: UnsafeBufferPointer<UInt32>, start: UInt64,
                             vocabularySize: UInt32, source: String) throws {
        if let i = firstInvalid(tokens, vocabularySize: vocabularySize) {
            throw ProteusError(.dataError, path: source,
                               "token \(tokens[i]) at position \(start + UInt64(i)) is ≥ vocabulary size \(vocabularySize)")
        }
    }

    /// The largest id of `count` tokens at `pointer` (0 for none). Integer max is
    /// associative, so LLVM vectorizes this plain loop without help.
    @inline(never)
    static func maximum(_ pointer: UnsafePointer<UInt32>, count: Int) -> UInt32 {
        var m: UInt32 = 0
        for i in 0..<count { m = max(m, pointer[i]) }
        return m
    }
}
