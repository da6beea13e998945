import Dispatch

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
