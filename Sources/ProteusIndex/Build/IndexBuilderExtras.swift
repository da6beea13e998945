import Dispatch

/// A file of sorted little-endian u64 token positions (`build --keep-positions`).
public enum PositionList {
    public static func read(path: String) throws -> [UInt64] {
        let file = try SystemFile(openForReading: path)
        guard file.size % 8 == 0 else {
            throw ProteusError(.dataError, path: path, "size \(file.size) is not a multiple of 8 (u64 positions)")
        }
        var positions = [UInt64](repeating: 0, count: Int(file.size / 8))
        if !positions.isEmpty {
            try positions.withUnsafeMutableBytes { try file.read(into: $0, at: 0) }
        }
        for i in positions.indices.dropFirst() where positions[i] <= positions[i - 1] {
            throw ProteusError(.dataError, path: path, "position \(i) (\(positions[i])) is not above the one before it; positions must be sorted and distinct")
        }
        return positions
    }
}

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

extension IndexBuilder {
    /// `build --each OUTDIR`: one index per input file, named after the file, built in
    /// parallel (threads are shared out between files). Names are flattened so no output can
    /// land outside OUTDIR.
    public func buildEach(inputs: [String], into folder: String) throws -> [Report] {
        for p in inputs {
            guard p != "-" else { throw ProteusError(.usage, "'--each' needs files, not standard input") }
            guard !SystemFile.isPipe(p) else { throw ProteusError(.usage, path: p, "'--each' needs files, not a pipe") }
        }
        let files = try TokenFormatDetection.inputFiles(inputs, walk: options.input.walk)
        guard !files.isEmpty else { throw ProteusError(.noInput, path: inputs.first, "holds no token files") }
        try OutputDestination.checkFolder(of: folder + "/x")
        var outputs: [String] = []
        var used = Set<String>()
        for f in files {
            var name = IndexBuilder.defaultOutput(for: f.split(separator: "/").last.map(String.init) ?? f)
            if name.hasPrefix(".") { name = "_" + name }
            var candidate = name
            var k = 2
            while !used.insert(candidate).inserted { candidate = String(name.dropLast(4)) + "-\(k).phb"; k += 1 }
            outputs.append(folder + "/" + candidate)
        }
        let workers = max(1, min(options.threads, files.count))
        var perFile = options
        perFile.threads = max(1, options.threads / workers)
        let builder = IndexBuilder(options: perFile)
        var reports = [Report?](repeating: nil, count: files.count)
        var errors = [Error?](repeating: nil, count: files.count)
        reports.withUnsafeMutableBufferPointer { r in
            errors.withUnsafeMutableBufferPointer { e in
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    var i = w
                    while i < files.count {
                        do { r[i] = try builder.build(inputs: [files[i]], output: outputs[i]) } catch { e[i] = error }
                        i += workers
                    }
                }
            }
        }
        if let error = errors.compactMap({ $0 }).first { throw error }
        return reports.map { $0! }
    }
}
