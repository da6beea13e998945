import ArgumentParser
import ProteusIndex

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the text of a token range of any token file.")

    @Argument(help: "A token file ('-' for standard input).")
    var file: String

    @Option(help: ArgumentHelp("Token range A:B (absolute positions, B exclusive; either side may be omitted).", valueName: "A:B"))
    var range: String?

    @OptionGroup var input: InputArguments
    @OptionGroup var tokenizer: TokenizerArgument

    func run() throws {
        try reportingFailures {
            let opened = try InputOpener.open([file], options: try input.options())
            let source = opened.source
            let tokenizer = try TokenizerChoice.resolve(explicit: try tokenizer.load(), recorded: source.tokenizer,
                                                        recordedIn: source.name, purpose: "decode")
            let (a, b) = try TokenRange.parse(range, count: source.tokenCount)
            let cursor = try source.makeCursor()
            var position = a
            let step = 1 << 16
            var pending: [UInt8] = []
            while position < b {
                let n = Int(min(UInt64(step), b - position))
                let tokens = try cursor.read(start: position, count: n)
                pending += try tokenizer.decode(tokens)
                // Print whole UTF-8 characters only; a character split across steps waits.
                let cut = UTF8Boundary.lastCompletePrefix(pending)
                StandardOutput.write(pending[..<cut])
                pending.removeFirst(cut)
                position += UInt64(tokens.count)
            }
            StandardOutput.write(pending[...])
        }
    }
}
