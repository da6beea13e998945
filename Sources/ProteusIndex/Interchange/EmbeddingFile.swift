extension TokenEmbeddings {
    /// Loads a `[vocab, dim]` matrix from safetensors or .npy, labelled with its file name
    /// and hash so the index records where its features came from.
    public static func load(path: String, tensorName: String? = nil) throws -> TokenEmbeddings {
        let matrix = try EmbeddingMatrix.load(path: path, tensorName: tensorName)
        let file = try SystemFile(openForReading: path)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let label = "embeddings:\(name):\(String(try InputOpener.sampledHash(file), radix: 16))"
        return TokenEmbeddings(rows: matrix.rows, dimension: matrix.columns, values: matrix.values, label: label)
    }
}
