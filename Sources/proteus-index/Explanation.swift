import Foundation
import ProteusIndex

/// `query --explain`: how a question was weighed and routed, for a person on stderr.
enum Explanation {
    static func text(_ r: TeleportResult, tokenizer: Tokenizer?) -> String {
        var lines = ["explain: mode \(r.mode.rawValue), \(r.windowsRead) of \(r.candidateWindows) candidate windows read"
                     + (r.stoppedAtLimit ? " (stopped at --max-windows)" : "")]
        func quoted(_ id: UInt32) -> String {
            guard let bytes = try? [id].withUnsafeBufferPointer({ try tokenizer?.decode($0) }) ?? nil else { return "#\(id)" }
            return "'" + String(decoding: bytes, as: UTF8.self) + "'"
        }
        for t in r.terms {
            let spelled = t.ids.map(quoted).joined(separator: "|")
            let windows = t.windows.map { "\($0) windows" } ?? "most windows"
            func listed(_ forms: [[UInt32]]) -> String { forms.map { $0.map(quoted).joined(separator: " ") }.joined(separator: ", ") }
            let forms = listed(t.lineStartForms), glued = listed(t.gluedForms)
            let inflected = (t.inflections.map { "\(quoted($0.id)) \(String(format: "%.2f", $0.credit))" }
                             + t.inflectedForms.map { $0.map(quoted).joined(separator: " ") }).joined(separator: ", ")
            lines.append("  \(spelled)  weight \(String(format: "%.2f", t.weight))\(t.anchor ? " anchor" : "")\(t.frame ? " frame" : ""), \(windows)"
                         + (forms.isEmpty ? "" : "; at a line start in \(forms)") + (glued.isEmpty ? "" : "; glued in \(glued)")
                         + (inflected.isEmpty ? "" : "; inflected \(inflected)")
                         + (t.namingDocuments == 0 ? "" : "; names \(t.namingDocuments == 1 ? "the document" : "\(t.namingDocuments) documents") "
                            + t.namingExamples.joined(separator: ", ") + (t.namingDocuments > t.namingExamples.count ? ", …" : "")))
        }
        if let like = r.likeWindows {
            lines.append("  from the cap on, \(like.count) windows that may hold an answer like the best one "
                         + "(\(String(format: "%.3f", like.forScore))) read first")
        }
        if !r.boundsRead.isEmpty {
            let shown = r.boundsRead.prefix(8).map { String(format: "%.3f", $0) }.joined(separator: " ")
            lines.append("  bounds read: \(shown)\(r.boundsRead.count > 8 ? " … \(String(format: "%.3f", r.boundsRead.last!))" : "")"
                         + (r.finalThreshold.map { "; answers to beat: \(String(format: "%.3f", $0))" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}
