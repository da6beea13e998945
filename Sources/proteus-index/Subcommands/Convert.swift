import ArgumentParser
import ProteusIndex

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert between token formats: any readable input to .tok, or to raw .u16/.u32.",
        discussion: """
            The output format follows the output's extension: .tok (with --codec), .u16 or .u32. Documents are kept \
            in a .tok output. A .tok input keeps its codec and frame size unless told otherwise, so \
            'convert old.tok -o new.tok' rewrites a file of the old layout (seek table of data frames only) into the \
            current one.
            """)

    @Argument(help: "Token files, directories, or '-'.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output file (.tok, .u16 or .u32).")
    var output: String

    @OptionGroup var input: InputArguments

    @OptionGroup var compression: CompressionArguments

    @Option(help: "Tokens per frame in a .tok output (default: 16384, one routing window, or a .tok input's own).")
    var frameTokens: Int?

    @Option(help: "Token width of a .tok output: u16 or u32 (default: the input's).")
    var width: String?

    @Flag(help: "No progress bar.")
    var quiet = false

    func run() throws {
        try reportingFailures {
            if let frameTokens, frameTokens <= 0 { throw ProteusError(.usage, "'--frame-tokens' must be positive") }
            _ = try compression.resolved() // a bad '--codec' is a usage error before any input is opened
            let opened = try InputOpener.open(inputs, options: try input.options())
            let tok = opened.source as? TokFile
            let (codec, level) = try compression.resolved(fallback: tok?.codec ?? .zstd)
            var options = FormatConverter.Options()
            options.codec = codec
            options.level = level
            options.frameTokens = frameTokens ?? tok?.frameTokens ?? TokWriter.defaultFrameTokens
            if let width { options.width = try TokenWidth(parsing: width) }
            let progress = ProgressBar(label: "convert", unit: " tokens", enabled: !quiet)
            try FormatConverter(options: options).convert(opened, to: output) { progress.update(done: $0, total: $1) }
            progress.finish()
        }
    }
}
