/// Writes a `ContextPack` in the format its path's extension names:
/// - `.safetensors`: tensors `input_ids`, `position_ids`, `document_ids` (int64, shape [1, n],
///   as Hugging Face models take them) and `scores` (float32), metadata with the hero count;
/// - `.npy`: one structured array of n records (input_ids, position_ids, document_ids: int64,
///   scores: float32), which `numpy.load` returns with named fields;
/// - `.json`: one object with the four arrays and the hero count.
/// Every output is atomic (temp file + fsync + rename).
public enum PackWriter {
    /// The formats a pack can be written in, named by the path's extension.
    public enum Format: Sendable {
        case safetensors, npy, json

        /// The format `path` names, or a usage error: `query` checks it before answering.
        public init(path: String) throws {
            let lower = path.lowercased()
            if lower.hasSuffix(".safetensors") { self = .safetensors }
            else if lower.hasSuffix(".npy") { self = .npy }
            else if lower.hasSuffix(".json") { self = .json }
            else { throw ProteusError(.usage, path: path, "'--emit' needs a .safetensors, .npy or .json path") }
        }
    }

    public static func write(_ pack: ContextPack, to path: String, inputs: [FileIdentity] = []) throws {
        switch try Format(path: path) {
        case .safetensors:
            let n = pack.inputIDs.count
            let tensors = [
                Tensor(name: "input_ids", dtype: .i64, shape: [1, n], bytes: bytes(pack.inputIDs.map { Int64($0) })),
                Tensor(name: "position_ids", dtype: .i64, shape: [1, n], bytes: bytes(pack.positionIDs)),
                Tensor(name: "document_ids", dtype: .i64, shape: [1, n], bytes: bytes(pack.documentIDs)),
                Tensor(name: "scores", dtype: .f32, shape: [1, n], bytes: bytes(pack.scores)),
            ]
            try SafetensorsWriter.write(tensors, metadata: ["hero_tokens": String(pack.heroTokenCount),
                                                            "producer": "proteus-index \(ProteusIndexVersion.string)"],
                                        to: path, inputs: inputs)
        case .npy:
            try writeRecords(pack, to: path, inputs: inputs)
        case .json:
            let json = JSONValue.object([
                ("input_ids", .array(pack.inputIDs.map { .integer(Int64($0)) })),
                ("position_ids", .array(pack.positionIDs.map { .integer($0) })),
                ("document_ids", .array(pack.documentIDs.map { .integer($0) })),
                ("scores", .array(pack.scores.map { .number(Double($0)) })),
                ("hero_tokens", .integer(Int64(pack.heroTokenCount))),
            ])
            let out = try AtomicOutputFile(path: path, inputs: inputs)
            try out.write(Array((json.serialized() + "\n").utf8))
            try out.commit()
        }
    }

    private static func writeRecords(_ pack: ContextPack, to path: String, inputs: [FileIdentity]) throws {
        let descr = "[('input_ids', '<i8'), ('position_ids', '<i8'), ('document_ids', '<i8'), ('scores', '<f4')]"
        var header = Array("{'descr': \(descr), 'fortran_order': False, 'shape': (\(pack.inputIDs.count),), }".utf8)
        let unpadded = 6 + 2 + 2 + header.count + 1
        header += [UInt8](repeating: 0x20, count: (64 - unpadded % 64) % 64)
        header.append(0x0A)
        let out = try AtomicOutputFile(path: path, inputs: inputs)
        try out.write([0x93] + Array("NUMPY".utf8) + [1, 0])
        try out.write(integer: UInt16(header.count))
        try out.write(header)
        for i in 0..<pack.inputIDs.count {
            try out.write(integer: Int64(pack.inputIDs[i]))
            try out.write(integer: pack.positionIDs[i])
            try out.write(integer: pack.documentIDs[i])
            try out.write(integer: pack.scores[i].bitPattern)
        }
        try out.commit()
    }

    private static func bytes<T>(_ values: [T]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }
    }
}
