import Foundation
import ProteusIndex

/// Lines of a questions file or of standard input.
enum TextLines {
    /// The lines of `path`, "-" being standard input.
    static func read(path: String) throws -> [String] {
        if path == "-" { return readStandardInput() }
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
