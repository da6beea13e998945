/// UTF-8 well-formedness (Unicode Table 3-7: no overlongs, no surrogates, nothing above
/// U+10FFFF), checked once before scanning so the scanner can decode without checks.
enum UTF8Validation {
    /// Offset of the first byte of the first ill-formed sequence, or nil when all is valid.
    static func firstInvalid(_ text: UnsafePointer<UInt8>, count: Int) -> Int? {
        var i = 0
        let raw = UnsafeRawPointer(text)
        while i < count {
            // ASCII runs dominate real text: test eight bytes at a time.
            if i + 8 <= count && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            let b0 = text[i]
            if b0 < 0x80 { i += 1; continue }
            @inline(__always) func continuation(_ k: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
                i + k < count && text[i + k] >= low && text[i + k] <= high
            }
            switch b0 {
            case 0xC2...0xDF:
                guard continuation(1) else { return i }
                i += 2
            case 0xE0...0xEF:
                let low: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
                let high: UInt8 = b0 == 0xED ? 0x9F : 0xBF
                guard continuation(1, low, high), continuation(2) else { return i }
                i += 3
            case 0xF0...0xF4:
                let low: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
                let high: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
                guard continuation(1, low, high), continuation(2), continuation(3) else { return i }
                i += 4
            default:
                return i
            }
        }
        return nil
    }
}
