import ArgumentParser
import ProteusIndex

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Tokenize text files into a .tok corpus (one document per file).",
        discussion: "Directories are walked in sorted order the way ripgrep walks them: hidden files, files excluded by .gitignore/.ignore and symbolic links are left out (see --glob, --no-ignore, --follow), "
            + "a file reached twice is read once, and files that are not UTF-8 text are skipped with one line each on stderr and recorded in the .tok (inspect --skipped). "
            + "'-' reads text from standard input. Output equals tiktoken's encode_ordinary.")

    @Argument(help: "Text files, directories, or '-' for standard input.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output .tok file.")
    var output: String

    @OptionGroup var tokenizer: TokenizerArgument

    @OptionGroup var compression: CompressionArguments

    @OptionGroup var walk: WalkArguments

    @Flag(help: "Stop at the first file of a folder that is not UTF-8 text instead of skipping it.")
    var strict = false

    @Option(help: "Encoding threads (default: one per core).")
    var threads: Int?

    @Flag(help: "No progress bar.")
    var quiet = false

    @Flag(help: "Print a JSON summary instead of text.")
    var json = false

    func validate() throws { try Threads.validate(threads) }

    func run() throws {
        try reportingFailures {
            let (codec, level) = try compression.resolved()
            let tokenizer = try tokenizer.require(for: "encode")
            var options = TextCorpusEncoder.Options()
            options.codec = codec
            options.level = level
            options.threads = Threads.count(threads)
            options.walk = try walk.options()
            options.strict = strict
            let progress = ProgressBar(label: "encode", unit: "B", enabled: !quiet && !json)
            let watch = Stopwatch()
            let summary = try TextCorpusEncoder(tokenizer: tokenizer, options: options)
                .encode(inputs: inputs, output: output,
                        onSkip: { progress.clear(); printError("proteus-index: \($0.path): skipped: \($0.reason)") },
                        progress: { progress.update(done: $0, total: $1) })
            progress.finish()
            let seconds = watch.elapsed
            if json {
                print(JSONValue.object([
                    ("output", .string(output)), ("documents", .integer(Int64(summary.documents))),
                    ("bytes", .unsigned(summary.bytes)), ("tokens", .unsigned(summary.tokens)),
                    ("seconds", .number(seconds)), ("bytes_per_second", .number(Double(summary.bytes) / max(seconds, 1e-9))),
                    ("skipped", .array(summary.skipped.map { .object([("path", .string($0.path)), ("reason", .string($0.reason))]) })),
                ]).serialized())
            } else if !quiet {
                let skipped = summary.skipped.isEmpty ? "" : ", \(summary.skipped.count) file(s) skipped"
                printError("encoded \(summary.documents) document(s)\(skipped), \(summary.bytes) bytes → \(summary.tokens) tokens in \(Format.seconds(seconds)) (\(Format.rate(Double(summary.bytes) / max(seconds, 1e-9), unit: "B")))")
            }
        }
    }
}
