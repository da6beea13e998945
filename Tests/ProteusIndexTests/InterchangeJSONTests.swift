import Testing
@testable import ProteusIndex

/// The safetensors header parser on its own: escapes, and the limits that protect it from
/// hostile headers.
@Suite struct InterchangeJSONTests {
    func parse(_ text: String) -> String {
        Array(text.utf8).withUnsafeBytes { raw in
            do { return try HeaderJSON.parse(raw).description } catch let e as HeaderJSON.SyntaxError {
                return "error at \(e.offset): \(e.reason)"
            } catch { return "\(error)" }
        }
    }

    @Test func escapesAndValues() {
        #expect(parse(#" {"a\u00e9\ud83d\ude00\n": [1, -2.5e3, true, null, {}]}  "#)
                == "{\"a\u{e9}\u{1F600}\\n\": [1, -2500.0, true, null, {}]}")
    }

    @Test func malformedHeaders() {
        #expect(parse(String(repeating: "[", count: 40)) == "error at 32: nesting deeper than 32 levels")
        #expect(parse(#"{"a": 1} x"#) == "error at 9: unexpected data after the JSON value")
        #expect(parse(#"{"a": "\ud800x"}"#) == #"error at 13: expected '\u'"#)
        #expect(parse("{\"a\": \"\u{1}\"}") == "error at 8: control character in string")
        #expect(parse(#"{"a": tru}"#) == "error at 9: expected 'true'")
    }
}
