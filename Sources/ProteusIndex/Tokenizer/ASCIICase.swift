/// The case of ASCII letters in token bytes, in one place: the tokenizer's focused table and the
/// question's word forms (other case, mixed case, line starts) all flip it the same way.
enum ASCIICase {
    @inline(__always)
    static func isLetter(_ b: UInt8) -> Bool { b | 0x20 >= 0x61 && b | 0x20 <= 0x7A }
    @inline(__always)
    static func isUppercase(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
    @inline(__always)
    static func isLowercase(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }
    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inline(__always)
    static func isAlphanumeric(_ b: UInt8) -> Bool { isLetter(b) || isDigit(b) }
    /// The byte in lowercase where it is a letter.
    @inline(__always)
    static func lowercased(byte b: UInt8) -> UInt8 { isLetter(b) ? b | 0x20 : b }

    /// The bytes with every ASCII letter in capitals, the rest as they are.
    static func uppercased<C: Sequence>(_ bytes: C) -> [UInt8] where C.Element == UInt8 { bytes.map { isLetter($0) ? $0 & ~0x20 : $0 } }

    /// The bytes with every ASCII letter in lowercase, the rest as they are.
    static func lowercased<C: Sequence>(_ bytes: C) -> [UInt8] where C.Element == UInt8 { bytes.map { isLetter($0) ? $0 | 0x20 : $0 } }
}
