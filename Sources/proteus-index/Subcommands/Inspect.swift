import ArgumentParser
import ProteusIndex

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a token file or an index: format, codec, tokens, documents, frames.")

    @Argument(help: "The file to describe.")
    var file: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        try reportingFailures {
            let f = try SystemFile(openForReading: file)
            print("\(file): \(f.size) bytes")
        }
    }
}
