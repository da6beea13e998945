import ArgumentParser
import ProteusIndex
#if canImport(Glibc)
import Glibc
#endif

struct Learn: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Learn the DNA (statistics, features, salience gates) of a corpus into a .dna file.",
        discussion: "Phase 1 of build on its own: 'build --dna FILE.dna' then scores with it, so shards built on "
            + "different machines share one DNA. The DNA records the tokenizer; another tokenizer's build refuses it.")

    @Argument(help: "Token files, directories, or '-' for standard input.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output .dna file.")
    var output: String

    @OptionGroup var dnaOptions: DNAArguments

    @Option(help: "Threads for the sample statistics (default: one per core). The DNA is the same for any count.")
    var threads: Int?

    @OptionGroup var tokenizer: TokenizerArgument

    @OptionGroup var input: InputArguments

    @Flag(help: "Print the result as JSON.")
    var json = false

    @Flag(help: "No summary line on standard error.")
    var quiet = false

    func validate() throws {
        try Threads.validate(threads)
    }

    func run() throws {
        try reportingFailures {
            var options = IndexBuilder.Options()
            options.threads = Threads.count(threads)
            options.input = try input.options()
            options.tokenizer = try tokenizer.load()
            try dnaOptions.apply(to: &options)
            let r = try IndexBuilder(options: options).learn(inputs: inputs, output: output)
            if json {
                print(JSONValue.object([
                    ("output", .string(r.output)), ("tokens", .unsigned(r.tokens)),
                    ("bytes", .unsigned(r.bytes)), ("seconds", .number(r.seconds)),
                ]).serialized())
            } else if !quiet {
                printError("\(r.output): DNA of \(r.tokens) tokens, \(r.bytes) bytes; \(Format.seconds(r.seconds))")
            }
        }
    }
}
