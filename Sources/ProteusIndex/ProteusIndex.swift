/// proteus-index: an out-of-core salience index for token files far larger than memory.
///
/// The pipeline, in the folders of this module:
/// - `System/`: files and the one syscall funnel, maps, atomic outputs, signals, errors.
/// - `Walking/`: folders as ripgrep walks them (ignore files, globs, links).
/// - `Codecs/`: zstd and lz4 frames through the system libraries.
/// - `Checksums/`: XXH32/XXH64 and SHA-256.
/// - `TokenSources/`: every token-file format behind one protocol (`TokenSource`), and detection.
/// - `Tokenizer/`: tiktoken-compatible byte-level BPE.
/// - `Encoding/`: text files to a `.tok` corpus, and a token range back to text.
/// - `Salience/`: the DNA scores (corpus surprisal, local burstiness, salience gates).
/// - `DNA/`: phase 1 of a build — the DNA learned from the sample (gates evolved over the
///   sample's champions), frozen, and its `.dna` file (`learn`, `build --dna`).
/// - `Champions/`: per-chunk candidates and champion selection (with the frozen DNA, on any thread).
/// - `HeroBuffer/`: the fixed-capacity buffer the champions compete for.
/// - `Routing/`: which corpus windows hold each token id (the routing tier).
/// - `Build/`: the parallel chunk driver and `build` as a library call.
/// - `IndexFile/`: the `.phb` on-disk index.
/// - `Shard/`: `build --shard i/N` — which chunks a shard covers and the state it carries
///   (`SHRD`, `SWIN` sections) so that shards merge exactly.
/// - `Merge/`: `merge` — the checks that shards belong to one build, the pool merge, and the
///   index of the whole corpus, byte-identical to a single `build --dna`.
/// - `Query/`: answering a question (heroes, routed windows, context) and the LLM-ready pack.
/// - `Interchange/`: safetensors and `.npy` readers and writers.
/// - `Reporting/`: JSON output and small text helpers.
public enum ProteusIndexVersion {
    /// Semantic version of the library and the command-line tool.
    public static let string = "0.1.0"
}
