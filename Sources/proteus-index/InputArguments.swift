import ArgumentParser
import ProteusIndex

/// How to read token inputs: shared by every subcommand that reads token files.
struct InputArguments: ParsableArguments {
    /// Forces a format instead of detecting it from magic bytes and extension.
    @Option(help: "Input format: tok, raw-u16, raw-u32, llmc, megatron (default: detected).")
    var format: String?

    /// Width of headerless token files.
    @Option(help: "Read inputs as raw tokens of this width: u16 or u32 (a .tok header still wins).")
    var dtype: String?

    /// How standard input ('-') and pipes given as inputs are encoded.
    @Option(help: "Encoding of '-' (standard input) and of pipes such as <(command): u32 (little-endian, default), u16 or text (whitespace-separated ids). zstd and lz4 streams are detected.")
    var stdinFormat: String = "u32"

    @OptionGroup var walk: WalkArguments

    /// Read with pread instead of mapping.
    @Flag(help: .hidden)
    var pread = false

    func options(tokenizer: TokenizerIdentity? = nil) throws -> InputOptions {
        var o = InputOptions()
        if let format { o.format = try TokenFormatName(parsing: format) }
        if let dtype { o.dtype = try TokenWidth(parsing: dtype) }
        guard let stdin = StdinTokenReader.Format(rawValue: stdinFormat) else {
            throw ProteusError(.usage, "'--stdin-format' must be u32, u16 or text, not '\(stdinFormat)'")
        }
        o.stdinFormat = stdin
        o.forcePread = pread
        o.tokenizer = tokenizer
        o.walk = try walk.options()
        return o
    }
}
