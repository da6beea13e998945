/// proteus-index: an out-of-core salience index for token files far larger than memory.
///
/// The pipeline, in the folders of this module:
/// - `TokenSources/`: every token-file format behind one windowed reader (`TokenSource`, `ChunkReader`).
/// - `Codecs/`: zstd and lz4 frames through the system libraries.
/// - `Tokenizer/`: tiktoken-compatible byte-level BPE.
/// - `Salience/`: the DNA scores (corpus surprisal, local burstiness, salience gates).
/// - `DNA/`: phase 1 of a build — the DNA learned from the sample (gates evolved over the
///   sample's champions), frozen, and its `.dna` file (`learn`, `build --dna`).
/// - `Champions/`: per-chunk champion selection (with the frozen DNA, on any thread).
/// - `HeroBuffer/`: the fixed-capacity buffer the champions compete for.
/// - `IndexFile/`: the `.phb` on-disk index.
/// - `Shard/`: `build --shard i/N` — which chunks a shard covers and the state it carries
///   (`SHRD`, `SWIN` sections) so that shards merge exactly.
/// - `Merge/`: `merge` — the checks that shards belong to one build, the pool merge, and the
///   index of the whole corpus, byte-identical to a single `build --dna`.
/// - `Query/`: the final pass over the heroes and the LLM-ready export.
public enum ProteusIndexVersion {
    /// Semantic version of the library and the command-line tool.
    public static let string = "0.1.0"
}
