import ArgumentParser
import ProteusIndex

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join shard indexes (build --shard i/N --dna) into the index of the whole corpus, or append a part (build --after) to an appendable index.",
        discussion: "The result is byte-identical to a single 'build --dna' of the whole corpus. Every shard 1..N "
            + "must be given once, built with the same DNA, parameters, tokenizer and corpus. With --partial, "
            + "consecutive shards i..j merge into the shard i-j/N, which merges with the others as they would "
            + "(a tree of merges). 'merge all.phb new.phb' appends a part built with 'build INPUTS --dna FILE.dna --after all.phb' "
            + "(the indexed inputs first, then the new ones) to the appendable index all.phb: the result is byte-identical to "
            + "'build INPUTS --dna FILE.dna --appendable' and can be appended to in turn.")

    @Argument(help: "Shard indexes, in any order; or an appendable index and a part built after it.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output index.")
    var output: String

    @Flag(help: "Accept a run of consecutive shards and write the shard that covers them (i-j/N).")
    var partial = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    @Flag(help: "No summary line on standard error.")
    var quiet = false

    @Option(help: ArgumentHelp("Threads inverting the routing windows (the bytes are the same for any count; default: all cores).",
                               valueName: "n"))
    var threads: Int?

    func validate() throws {
        try Threads.validate(threads)
    }

    func run() throws {
        try reportingFailures {
            let r = try IndexMerger.merge(inputs: inputs, output: output, partial: partial, threads: Threads.count(threads))
            let s = r.statistics
            if json {
                print(JSONValue.object([
                    ("output", .string(r.output)), ("shards", .integer(Int64(r.shards))),
                    ("shard", r.partialShard.map { .string($0) } ?? .null), ("tokens", .unsigned(s.tokens)),
                    ("heroes", .integer(Int64(s.heroTokens))), ("spans", .integer(Int64(s.spans))),
                    ("index_bytes", .unsigned(r.indexBytes)), ("seconds", .number(r.seconds)),
                ]).serialized())
            } else if !quiet {
                let what = r.appended ? "appended" : r.partialShard.map { "shard \($0) from \(r.shards) shards" } ?? "\(r.shards) shards"
                printError("\(r.output): \(what), \(s.tokens) tokens → \(s.heroTokens) hero tokens in \(s.spans) spans; \(Format.seconds(r.seconds)), index \(r.indexBytes) bytes")
            }
        }
    }
}
