/// A small strict JSON parser for safetensors headers (objects keep their key order).
/// Headers are untrusted input: depth is bounded, and every error names its byte offset,
/// which JSONSerialization's errors do not; it also keeps Foundation, about 10 ms of
/// start-up (see `JSONValue`), out of the library.
enum HeaderJSON: Equatable {
    case null, bool(Bool), number(Double, integer: Int64?), string(String)
    case array([HeaderJSON]), object([(String, HeaderJSON)])

    static func == (a: HeaderJSON, b: HeaderJSON) -> Bool { a.description == b.description }

    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return "\(b)"
        case .number(let d, let i): return i.map(String.init) ?? "\(d)"
        case .string(let s): return JSONValue.quoted(s)
        case .array(let a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .object(let o): return "{" + o.map { JSONValue.quoted($0.0) + ": " + $0.1.description }.joined(separator: ", ") + "}"
        }
    }

    struct SyntaxError: Error { let offset: Int; let reason: String }

    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> HeaderJSON {
        var p = Parser(bytes: bytes)
        let value = try p.value(depth: 0)
        p.skipSpace()
        guard p.at == bytes.count else { throw SyntaxError(offset: p.at, reason: "unexpected data after the JSON value") }
        return value
    }

    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var at = 0

        mutating func skipSpace() {
            while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
        }
        func fail(_ reason: String) -> SyntaxError { SyntaxError(offset: at, reason: reason) }

        mutating func expect(_ literal: String) throws {
            for byte in literal.utf8 {
                guard at < bytes.count, bytes[at] == byte else { throw fail("expected '\(literal)'") }
                at += 1
            }
        }

        mutating func value(depth: Int) throws -> HeaderJSON {
            guard depth < 32 else { throw fail("nesting deeper than 32 levels") }
            skipSpace()
            guard at < bytes.count else { throw fail("unexpected end") }
            switch bytes[at] {
            case UInt8(ascii: "{"):
                at += 1
                var pairs: [(String, HeaderJSON)] = []
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(pairs) }
                while true {
                    skipSpace()
                    let key = try string()
                    skipSpace()
                    try expect(":")
                    pairs.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    guard at < bytes.count else { throw fail("unterminated object") }
                    if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    try expect("}")
                    return .object(pairs)
                }
            case UInt8(ascii: "["):
                at += 1
                var items: [HeaderJSON] = []
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
                while true {
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard at < bytes.count else { throw fail("unterminated array") }
                    if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    try expect("]")
                    return .array(items)
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            default: return try number()
            }
        }

        mutating func number() throws -> HeaderJSON {
            let start = at
            while at < bytes.count, "+-0123456789.eE".utf8.contains(bytes[at]) { at += 1 }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
            guard let d = Double(text), !text.isEmpty else { at = start; throw fail("invalid value") }
            return .number(d, integer: Int64(text))
        }

        mutating func string() throws -> String {
            try expect("\"")
            var out: [UInt8] = []
            while true {
                guard at < bytes.count else { throw fail("unterminated string") }
                let b = bytes[at]
                at += 1
                if b == UInt8(ascii: "\"") { break }
                guard b >= 0x20 else { throw fail("control character in string") }
                guard b == UInt8(ascii: "\\") else { out.append(b); continue }
                guard at < bytes.count else { throw fail("unterminated escape") }
                let e = bytes[at]
                at += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        try expect("\\u")
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                    out += Array(String(Character(u)).utf8)
                default: throw fail("invalid escape")
                }
            }
            guard let s = String(validating: out, as: UTF8.self) else { throw fail("string is not valid UTF-8") }
            return s
        }

        mutating func hex4() throws -> UInt32 {
            guard at + 4 <= bytes.count,
                  let v = UInt32(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at..<at + 4]), as: UTF8.self), radix: 16)
            else { throw fail("invalid \\u escape") }
            at += 4
            return v
        }
    }
}
