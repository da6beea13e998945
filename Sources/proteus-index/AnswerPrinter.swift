import Foundation
import ProteusIndex

/// Prints answers as text for people or as one JSON object per question for programs.
struct AnswerPrinter {
    let json: Bool

    func print(_ answer: QueryAnswer, contexts: [SpanContext?]) {
        if json {
            Swift.print(jsonObject(answer, contexts: contexts).serialized())
            return
        }
        var out = "? \(answer.question)\n"
        if answer.results.isEmpty { out += "  (no span matched)\n" }
        for (i, r) in answer.results.enumerated() {
            out += "#\(r.rank)  score \(String(format: "%.3f", r.score))  \(r.documentName)  tokens \(r.start)..<\(r.end) (offset \(r.documentOffset) in document)\n"
            if let text = r.text { out += indent(text) }
            if i < contexts.count, let c = contexts[i], let text = c.text {
                out += "   context \(c.start)..<\(c.end):\n" + indent(text)
            }
        }
        Swift.print(out, terminator: "")
    }

    private func indent(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r\n", with: "\n")
        return flat.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n") + "\n"
    }

    func jsonObject(_ answer: QueryAnswer, contexts: [SpanContext?]) -> JSONValue {
        var results: [JSONValue] = []
        for (i, r) in answer.results.enumerated() {
            var fields: [(String, JSONValue)] = [
                ("rank", .integer(Int64(r.rank))), ("score", .number(Double(r.score))),
                ("document", .string(r.documentName)), ("document_id", .integer(Int64(r.document))),
                ("start", .unsigned(r.start)), ("end", .unsigned(r.end)),
                ("document_offset", .unsigned(r.documentOffset)),
                ("matched_tokens", .integer(Int64(r.matchedTokens))),
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
        return .object([
            ("question", .string(answer.question)),
            ("question_tokens", .array(answer.questionTokens.map { .unsigned(UInt64($0)) })),
            ("results", .array(results)),
        ])
    }
}

/// Lines of a questions file or of standard input.
enum TextLines {
    static func read(path: String) throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ProteusError(.noInput, path: path, "cannot open: No such file or directory (errno 2)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProteusError(.noInput, path: path, "cannot read")
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
    }

    static func readStandardInput() -> [String] {
        var lines: [String] = []
        while let line = readLine(strippingNewline: true) { lines.append(line) }
        return lines
    }
}
