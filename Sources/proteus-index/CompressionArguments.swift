import ArgumentParser
import ProteusIndex

/// `--codec` and `--level` of the commands that write `.tok` files.
struct CompressionArguments: ParsableArguments {
    @Option(help: "Frame codec: zstd, lz4 or none.")
    var codec: String = "zstd"

    @Option(help: "Compression level (zstd 1-19, default 3; lz4 0-12, default 0).")
    var level: Int32?

    /// The codec and the level to use with it.
    func resolved() throws -> (codec: TokCodec, level: Int32) {
        guard let c = TokCodec(name: codec) else {
            throw ProteusError(.usage, "'--codec' must be zstd, lz4 or none, not '\(codec)'")
        }
        return (c, level ?? (c == .lz4 ? 0 : 3))
    }
}
