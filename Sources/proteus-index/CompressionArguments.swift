import ArgumentParser
import ProteusIndex

/// `--codec` and `--level` of the commands that write `.tok` files.
struct CompressionArguments: ParsableArguments {
    @Option(help: "Frame codec: zstd, lz4 or none (default zstd; convert keeps a .tok input's).")
    var codec: String?

    @Option(help: "Compression level (zstd 1-19, default 3; lz4 0-12, default 0).")
    var level: Int32?

    /// The codec (`fallback` when none is given) and the level to use with it.
    func resolved(fallback: TokCodec = .zstd) throws -> (codec: TokCodec, level: Int32) {
        guard let c = codec.map(TokCodec.init(name:)) ?? fallback else {
            throw ProteusError(.usage, "'--codec' must be zstd, lz4 or none, not '\(codec ?? "")'")
        }
        return (c, level ?? (c == .lz4 ? 0 : 3))
    }
}
