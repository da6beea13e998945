import ArgumentParser
import ProteusIndex

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert between token formats: any readable input to .tok, or to raw .u16/.u32.",
        discussion: "The output format follows the output's extension: .tok (with --codec), .u16 or .u32. Documents are kept in a .tok output.")

    @Argument(help: "Token files, directories, or '-'.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output file (.tok, .u16 or .u32).")
    var output: String

    @OptionGroup var input: InputArguments

    @OptionGroup var compression: CompressionArguments

    @Option(help: "Tokens per frame in a .tok output.")
    var frameTokens: Int = 65_536

    @Option(help: "Token width of a .tok output: u16 or u32 (default: the input's).")
    var width: String?

    @Flag(help: "No progress bar.")
    var quiet = false

    func run() throws {
        try reportingFailures {
            let (codec, level) = try compression.resolved()
            guard frameTokens > 0 else { throw ProteusError(.usage, "'--frame-tokens' must be positive") }
            let opened = try InputOpener.open(inputs, options: try input.options())
            var options = FormatConverter.Options()
            options.codec = codec
            options.level = level
            options.frameTokens = frameTokens
            if let width { options.width = try TokenWidth(parsing: width) }
            let progress = ProgressBar(label: "convert", unit: " tokens", enabled: !quiet)
            try FormatConverter(options: options).convert(opened, to: output) { progress.update(done: $0, total: $1) }
            progress.finish()
        }
    }
}
