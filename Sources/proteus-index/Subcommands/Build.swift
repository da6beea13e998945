import ArgumentParser
import ProteusIndex
#if canImport(Glibc)
import Glibc
#endif

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Score every token, promote chunk champions and keep the heroes in a .phb index.",
        discussion: "INPUT is any token source: a file of any readable format, a directory (walked in sorted order) or '-'. "
            + "One index covers all inputs (documents keep their names and ranges); --each writes one index per input file.")

    @Argument(help: "Token files, directories, or '-' for standard input.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output index (default: the input's name with .phb).")
    var output: String?

    @Option(help: ArgumentHelp("Write one index per input file into this folder, files in parallel.", valueName: "outdir"))
    var each: String?

    @OptionGroup var dnaOptions: DNAArguments

    @Option(help: ArgumentHelp("Score with this DNA from 'learn' instead of learning it (phase 1 skipped).", valueName: "file.dna"))
    var dna: String?

    @Option(help: ArgumentHelp("Build only shard i of N of the corpus (with --dna); 'merge' joins the shards.", valueName: "i/N"))
    var shard: String?

    @Flag(help: "Write an index that files added later can be appended to (with --dna): 'build ... --after' builds the part, 'merge' appends it. It keeps its last pool and routing windows un-inverted.")
    var appendable = false

    @Option(help: ArgumentHelp("Build the part that appends the inputs past those of this appendable index (with --dna; give the indexed inputs first, then the new ones); 'merge INDEX PART' appends it.", valueName: "index.phb"))
    var after: String?

    @Option(help: "Hero buffer capacity, in tokens.")
    var buffer: Int = BuildParameters().bufferTokens

    @Option(help: "Neighbours kept on each side of a champion (0 = none).")
    var span: Int = BuildParameters().span

    @Option(help: "Tokens per routing window (the largest divisor of the chunk up to this); 0 builds no routing tier.")
    var routeWindow: Int = BuildParameters().routeWindow

    @Option(help: "Ids in more than this share of the routing windows get no window list (0 < share ≤ 1).")
    var routeListShare: Double = BuildParameters().routeListShare

    @Option(help: "Scoring threads (default: one per core). The index is the same for any count.")
    var threads: Int?

    @OptionGroup var tokenizer: TokenizerArgument

    @Flag(help: "Do not embed the tokenizer's ranks in the index.")
    var noEmbedTokenizer = false

    @Option(help: .hidden)
    var keepPositions: String?

    @OptionGroup var input: InputArguments

    @Flag(help: "No progress bar.")
    var quiet = false

    @Flag(help: "Print final statistics as JSON.")
    var json = false

    func validate() throws {
        if output != nil && each != nil { throw ValidationError("'--output' and '--each' are mutually exclusive") }
        if dna != nil, let flag = dnaOptions.learnOnlyFlag {
            throw ValidationError("'\(flag)' belongs to 'learn': the DNA given with '--dna' already holds it")
        }
        try Threads.validate(threads)
    }

    func run() throws {
        try reportingFailures {
            var options = IndexBuilder.Options()
            options.parameters = parameters()
            options.threads = Threads.count(threads)
            options.input = try input.options()
            options.tokenizer = try tokenizer.load()
            options.embedTokenizer = !noEmbedTokenizer
            try dnaOptions.apply(to: &options)
            options.dnaPath = dna
            if let shard { options.shard = try ShardSpec(parsing: shard) }
            options.appendable = appendable
            options.afterPath = after
            if let keepPositions { options.keepPositions = try PositionList.read(path: keepPositions) }
            if let each {
                let reports = try IndexBuilder(options: options).buildEach(inputs: inputs, into: each)
                for r in reports { report(r) }
                return
            }
            guard let destination = output ?? inputs.first.flatMap({ SystemFile.isStream($0) || inputs.count > 1 ? nil : IndexBuilder.defaultOutput(for: $0) }) else {
                throw ProteusError(.usage, "'-o/--output' is needed when reading standard input, a pipe or several inputs")
            }
            let progress = ProgressBar(label: "build", unit: " tokens", enabled: !quiet && !json)
            let r = try IndexBuilder(options: options).build(inputs: inputs, output: destination) {
                progress.update(done: $0, total: $1)
            }
            progress.finish()
            report(r)
        }
    }

    /// The options phase 2 alone uses (`dnaOptions` adds the rest).
    private func parameters() -> BuildParameters {
        var p = BuildParameters()
        p.bufferTokens = buffer
        p.span = span
        p.routeWindow = routeWindow
        p.routeListShare = routeListShare
        return p
    }

    private func report(_ r: IndexBuilder.Report) {
        for w in r.warnings { printError("proteus-index: warning: \(w)") }
        let s = r.statistics
        let rate = Double(s.tokens) / max(r.seconds, 1e-9)
        if json {
            print(JSONValue.object([
                ("output", .string(r.output)), ("tokens", .unsigned(s.tokens)), ("chunks", .integer(Int64(s.chunks))),
                ("champions", .unsigned(s.champions)), ("evicted", .unsigned(s.evicted)),
                ("heroes", .integer(Int64(s.heroTokens))), ("spans", .integer(Int64(s.spans))),
                ("kept_whole", .bool(s.keptWhole)), ("seconds", .number(r.seconds)),
                ("tokens_per_second", .number(rate)), ("peak_rss_bytes", .unsigned(r.peakResidentBytes)),
                ("index_bytes", .unsigned(r.indexBytes)),
            ]).serialized())
        } else if !quiet {
            let whole = s.keptWhole ? " (input no larger than the buffer: kept whole)" : ""
            printError("\(r.output): \(s.tokens) tokens in \(s.chunks) chunks → \(s.champions) champions → \(s.heroTokens) hero tokens in \(s.spans) spans\(whole); \(Format.seconds(r.seconds)), \(Format.rate(rate, unit: " tokens")), index \(r.indexBytes) bytes")
        }
    }
}
