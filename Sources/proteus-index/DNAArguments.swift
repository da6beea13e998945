import ArgumentParser
import ProteusIndex

/// The options phase 1 (the DNA) depends on, shared by `learn` and `build`.
struct DNAArguments: ParsableArguments {
    @Option(help: "Chunk length in tokens.")
    var chunkLen: Int = BuildParameters().chunkLength

    @Option(help: "Champion budget per chunk, in tokens.")
    var perChunk: Int = BuildParameters().perChunk

    @Option(help: "Nucleus cut of a chunk's champions (0 < p ≤ 1).")
    var topP: Double = BuildParameters().topP

    @Option(help: ArgumentHelp("DNA signals to use, comma-separated: \(Signals.all.names.joined(separator: ", ")).", valueName: "signals"))
    var signals: String = BuildParameters().signals.names.joined(separator: ",")

    @Option(help: ArgumentHelp("Token features from a [vocab, dim] matrix (.safetensors or .npy).", valueName: "file"))
    var embeddings: String?

    @Option(help: ArgumentHelp("Tensor to use in a safetensors file with several 2-D tensors.", valueName: "name"))
    var embeddingTensor: String?

    @Option(help: "Text whose concepts seed the salience gates.")
    var focus: String?

    @Option(help: ArgumentHelp("A file whose text seeds the salience gates.", valueName: "file"))
    var focusFile: String?

    func validate() throws {
        if focus != nil && focusFile != nil { throw ValidationError("'--focus' and '--focus-file' are mutually exclusive") }
    }

    /// Writes these options into `options` (loading the embeddings and the focus file).
    func apply(to options: inout IndexBuilder.Options) throws {
        options.parameters.chunkLength = chunkLen
        options.parameters.perChunk = perChunk
        options.parameters.topP = topP
        options.parameters.signals = try Signals(names: signals.split(separator: ",").map { String($0).trimmingSpaces })
        if let focus { options.parameters.focus = focus }
        if let focusFile { options.parameters.focus = try SystemFile.text(path: focusFile) }
        if let embeddings {
            let matrix = try TokenEmbeddings.load(path: embeddings, tensorName: embeddingTensor)
            options.embeddings = matrix
            options.parameters.featureDimension = matrix.dimension
        }
    }

    /// Whether a flag that only `learn` may set was given (refused with `build --dna`).
    var learnOnlyFlag: String? {
        if embeddings != nil { return "--embeddings" }
        if focus != nil { return "--focus" }
        if focusFile != nil { return "--focus-file" }
        return nil
    }
}
