import ArgumentParser
import ProteusIndex

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe a token file or an index: format, codec, tokens, documents, frames, tokenizer.",
        discussion: "For a .phb index: its header, sections, build parameters, statistics and source fingerprint.")

    @Argument(help: "A token file (any readable format) or a .phb index.")
    var file: String

    @OptionGroup var input: InputArguments

    @Flag(help: "Decode every frame and check its checksum (.tok), or every section checksum (.phb).")
    var verify = false

    @Flag(help: "List every file the encode that made a .tok left out, and why (--json always has them).")
    var skipped = false

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        try reportingFailures {
            if HeroIndex.looksLikeIndex(path: file) {
                let index = try HeroIndex(path: file)
                if verify { try index.verify() }
                let description = IndexDescription(index)
                // Made whole before anything is printed: a damaged section prints nothing but its error.
                let text = json ? try description.json : try description.text
                print(text, terminator: json ? "\n" : "")
                return
            }
            let opened = try InputOpener.open([file], options: try input.options())
            let description = try TokenFileDescription(opened.source, file: file, verify: verify, listSkipped: skipped)
            print(json ? description.json.serialized(pretty: true) : description.text, terminator: "")
            if let failure = description.firstFailure { throw failure }
        }
    }
}
