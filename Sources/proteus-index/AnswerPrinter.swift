import Foundation
import ProteusIndex

/// Prints answers as text for people or as one JSON object per question for programs.
struct AnswerPrinter {
    let json: Bool
    /// Mark the tokens that match the question (standard output is a terminal).
    let color: Bool

    func print(_ answer: QueryAnswer, contexts: [SpanContext?], warnings: [String]) {
        if json {
            Swift.print(jsonObject(answer, contexts: contexts, warnings: warnings).serialized())
            return
        }
        var out = "? \(answer.question)\n"
        if answer.results.isEmpty { out += "  (no passage holds the question's tokens)\n" }
        for (i, r) in answer.results.enumerated() {
            let from = r.source == .corpus ? "corpus" : "hero span"
            let place = r.line.map { line in "\(r.documentName):\(line)" + (r.column.map { ":\($0)" } ?? "") } ?? r.documentName
            out += "#\(r.rank)  \(String(format: "%.3f", r.score))  \(place)  tokens \(r.start)..<\(r.end) (\(from))\n"
            if r.text != nil { out += Self.indent(shown(r)) }
            if i < contexts.count, let c = contexts[i], let text = c.text {
                out += "   context \(c.start)..<\(c.end):\n" + Self.indent(Array(text.utf8))
            }
        }
        Swift.print(out, terminator: "")
    }

    /// The answer's text as shown (UTF-8), with the question's tokens in bold on a terminal.
    /// An answer that starts inside a line loses the space before its first word.
    private func shown(_ r: SpanAnswer) -> [UInt8] {
        guard let text = r.text else { return [] }
        var bytes = Array(text.utf8)
        let lead = (r.column ?? 1) > 1 ? bytes.prefix(while: { $0 == 0x20 || $0 == 0x09 }).count : 0
        bytes.removeFirst(lead)
        let ranges = r.matchedByteRanges.map { max(0, $0.lowerBound - lead)..<max(0, $0.upperBound - lead) }.filter { !$0.isEmpty }
        // Marks go in only when the text is the tokens' exact bytes (valid UTF-8).
        guard color, !ranges.isEmpty, ranges.last!.upperBound <= bytes.count else { return bytes }
        var out: [UInt8] = []
        var at = 0
        for range in ranges {
            out += bytes[at..<range.lowerBound] + Array("\u{1B}[1m".utf8) + bytes[range] + Array("\u{1B}[0m".utf8)
            at = range.upperBound
        }
        out += bytes[at...]
        return out
    }

    /// The lines of `bytes` (UTF-8) indented under the answer's header, without the spaces and
    /// blank lines a passage ends with (a paragraph break); `--json` keeps the exact text. On
    /// bytes: the same on Characters (and Foundation's replacingOccurrences) cost a question's
    /// process 0.9 ms, nearly all of it the runtime's first look at those generic types.
    static func indent(_ bytes: [UInt8]) -> String {
        func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D }
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == 0x0A {
            var end = i
            while end > start && blank(bytes[end - 1]) { end -= 1 }
            lines.append(bytes[start..<end])
            start = i + 1
        }
        while lines.count > 1, lines.last!.isEmpty { lines.removeLast() }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 5 * lines.count)
        for line in lines {
            out += [0x20, 0x20, 0x20, 0x20]
            out += line
            out.append(0x0A)
        }
        return String(decoding: out, as: UTF8.self)
    }

    func jsonObject(_ answer: QueryAnswer, contexts: [SpanContext?], warnings: [String]) -> JSONValue {
        var results: [JSONValue] = []
        for (i, r) in answer.results.enumerated() {
            var fields: [(String, JSONValue)] = [
                ("rank", .integer(Int64(r.rank))), ("score", .number(Double(r.score))),
                ("source", .string(r.source.rawValue)),
                ("document", .string(r.documentName)), ("document_id", .integer(Int64(r.document))),
                ("start", .unsigned(r.start)), ("end", .unsigned(r.end)),
                ("document_offset", .unsigned(r.documentOffset)),
                ("line", r.line.map { .integer(Int64($0)) } ?? .null),
                ("column", r.column.map { .integer(Int64($0)) } ?? .null),
                ("matched_tokens", .integer(Int64(r.matchedTokens))), ("coverage", .number(Double(r.coverage))),
                ("token_ids", .array(r.tokenIDs.map { .unsigned(UInt64($0)) })),
                ("text", r.text.map { .string($0) } ?? .null),
            ]
            if i < contexts.count, let c = contexts[i] {
                fields.append(("context", .object([
                    ("start", .unsigned(c.start)), ("end", .unsigned(c.end)),
                    ("token_ids", .array(c.tokenIDs.map { .unsigned(UInt64($0)) })),
                    ("text", c.text.map { .string($0) } ?? .null),
                ])))
            }
            results.append(.object(fields))
        }
        let notes = warnings + (answer.note.map { [$0] } ?? [])
        return .object([
            ("question", .string(answer.question)),
            ("question_tokens", .array(answer.questionTokens.map { .unsigned(UInt64($0)) })),
            ("mode", .string(answer.mode.rawValue)),
            ("windows_read", .integer(Int64(answer.windowsRead))),
            ("candidate_windows", .integer(Int64(answer.candidateWindows))),
            ("stopped_at_window_limit", .bool(answer.stoppedAtLimit)),
            ("elapsed_ms", .number((answer.seconds * 1e6).rounded() / 1e3)),
            ("warnings", .array(notes.map { .string($0) })),
            ("results", .array(results)),
        ])
    }
}
