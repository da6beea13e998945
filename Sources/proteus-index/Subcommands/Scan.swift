import ArgumentParser
import ProteusIndex

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Read every token of the inputs and print their count and sum (reader throughput).",
        discussion: "With --plain, sums the file's mapped bytes as u32 words without the reader: the machine's own limit for comparison.")

    @Argument(help: "Token files, directories, or '-'.")
    var inputs: [String]

    @OptionGroup var input: InputArguments

    @Option(help: "Window length in tokens.")
    var chunkLen: Int = 65_536

    @Option(help: "Reading threads (default: one per core).")
    var threads: Int?

    @Flag(help: "Sum the raw mapped file as u32 words, bypassing the reader.")
    var plain = false

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if chunkLen <= 0 { throw ValidationError("'--chunk-len' must be positive") }
        try Threads.validate(threads)
    }

    func run() throws {
        try reportingFailures {
            let watch = Stopwatch()
            let result: TokenScan.Result
            if plain {
                guard inputs.count == 1 else { throw ProteusError(.usage, "'--plain' takes exactly one file") }
                result = try TokenScan.plain(path: inputs[0])
            } else {
                let opened = try InputOpener.open(inputs, options: try input.options())
                result = try TokenScan.run(opened.source, chunkLength: chunkLen, threads: Threads.count(threads))
            }
            let seconds = watch.elapsed
            let usage = ResourceUsage.current()
            if json {
                print(JSONValue.object([
                    ("tokens", .unsigned(result.tokens)), ("windows", .integer(Int64(result.windows))),
                    ("sum", .unsigned(result.sum)), ("seconds", .number(seconds)),
                    ("tokens_per_second", .number(Double(result.tokens) / max(seconds, 1e-9))),
                    ("peak_rss_bytes", .unsigned(usage.peakResidentBytes)),
                ]).serialized())
            } else {
                print("\(result.tokens) tokens, sum \(result.sum), \(Format.seconds(seconds)), \(Format.rate(Double(result.tokens) / max(seconds, 1e-9), unit: " tokens"))")
            }
        }
    }
}
