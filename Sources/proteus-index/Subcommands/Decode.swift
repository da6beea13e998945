import ArgumentParser
import ProteusIndex

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
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
            try TokenDecoding.decode(source, range: a..<b, tokenizer: tokenizer) { StandardOutput.write($0) }
        }
    }
}
