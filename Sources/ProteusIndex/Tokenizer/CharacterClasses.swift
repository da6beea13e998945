/// The character classes the split patterns test, as bit flags of one byte per scalar.
///
/// Definitions follow the Rust `regex` crate that tiktoken uses: `\p{L}` is general category
/// L*, `\p{N}` is N*, `\s` is the Unicode `White_Space` property.
enum CharacterClass {
    /// `\p{L}`.
    static let letter: UInt8 = 1
    /// `\p{N}`.
    static let number: UInt8 = 2
    /// `\s`.
    static let space: UInt8 = 4
    /// `\r` or `\n` (also `space`).
    static let newline: UInt8 = 8

    /// Scalars below this have their class in `table`. Covers the BMP and plane 1 (where
    /// emoji and most scripts live).
    static let tableLimit: UInt32 = 0x2_0000
    /// Planes 2 and 3 (CJK extensions) have their own table, built only when met.
    static let highTableLimit: UInt32 = 0x4_0000

    /// One class byte per scalar below `tableLimit`, built once on first use (about 20 ms)
    /// and never freed: the scanners hold a raw pointer to it.
    static let table: UnsafePointer<UInt8> = build(0..<tableLimit)

    /// Classes of the 128 ASCII scalars: built in microseconds, enough for most questions.
    static let asciiTable: UnsafePointer<UInt8> = build(0..<0x80)

    /// Classes of `tableLimit ..< highTableLimit`, indexed from `tableLimit`.
    static let highTable: UnsafePointer<UInt8> = build(tableLimit..<highTableLimit)

    private static func build(_ range: Range<UInt32>) -> UnsafePointer<UInt8> {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: range.count)
        for v in range {
            t[Int(v - range.lowerBound)] = Unicode.Scalar(v).map(classify) ?? 0
        }
        return UnsafePointer(t)
    }

    /// The class of a scalar at or above `tableLimit`. Planes 4 to 16 hold no letter,
    /// number or space up to Unicode 16 (only tags, variation selectors and private use),
    /// so they need no lookup at all.
    static func classifyAboveTable(_ v: UInt32) -> UInt8 {
        v < highTableLimit ? highTable[Int(v - tableLimit)] : 0
    }

    /// The Unicode version of the tables in tiktoken's regex engine (Rust `regex-syntax`
    /// 0.8). Characters the Swift runtime knows but that were assigned later are unassigned
    /// (so "other") there, and must be here too for identical pieces.
    static let unicodeVersion = (major: 16, minor: 0)

    /// The class of any scalar, from its Unicode properties.
    static func classify(_ scalar: Unicode.Scalar) -> UInt8 {
        if scalar == "\r" || scalar == "\n" { return space | newline }
        let properties = scalar.properties
        guard let age = properties.age,
              (age.major, age.minor) <= (unicodeVersion.major, unicodeVersion.minor) else { return 0 }
        if properties.isWhitespace { return space }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return number
        default:
            return 0
        }
    }
}
