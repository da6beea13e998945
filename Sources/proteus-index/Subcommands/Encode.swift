import ArgumentParser
import ProteusIndex

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tokenize text files into a .tok corpus (one document per file).",
        discussion: "Directories are walked in sorted order; '-' reads text from standard input. Output equals tiktoken's encode_ordinary.")

    @Argument(help: "Text files, directories, or '-' for standard input.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output .tok file.")
    var output: String

    @OptionGroup var tokenizer: TokenizerArgument

    @OptionGroup var compression: CompressionArguments

    @Option(help: "Encoding threads (0 = one per core).")
    var threads: Int = 0

    @Flag(help: "No progress bar.")
    var quiet = false

    @Flag(help: "Print a JSON summary instead of text.")
    var json = false

    func run() throws {
        try reportingFailures {
            let (codec, level) = try compression.resolved()
            let tokenizer = try tokenizer.require(for: "encode")
            var options = TextCorpusEncoder.Options()
            options.codec = codec
            options.level = level
            options.threads = threads
            let progress = ProgressBar(label: "encode", unit: "B", enabled: !quiet && !json)
            let watch = Stopwatch()
            let summary = try TextCorpusEncoder(tokenizer: tokenizer, options: options)
                .encode(inputs: inputs, output: output) { progress.update(done: $0, total: $1) }
            progress.finish()
            let seconds = watch.elapsed
            if json {
                print(JSONValue.object([
                    ("output", .string(output)), ("documents", .integer(Int64(summary.documents))),
                    ("bytes", .unsigned(summary.bytes)), ("tokens", .unsigned(summary.tokens)),
                    ("seconds", .number(seconds)), ("bytes_per_second", .number(Double(summary.bytes) / max(seconds, 1e-9))),
                ]).serialized())
            } else if !quiet {
                printError("encoded \(summary.documents) document(s), \(summary.bytes) bytes → \(summary.tokens) tokens in \(Format.seconds(seconds)) (\(Format.rate(Double(summary.bytes) / max(seconds, 1e-9), unit: "B")))")
            }
        }
    }
}
