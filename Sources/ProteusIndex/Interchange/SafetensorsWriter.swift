/// Writes `.safetensors` files: u64 header length, a JSON header padded with spaces to a
/// multiple of 8 (so the data buffer stays 8-byte aligned), then the tensors' bytes in the
/// order given. Output goes through `AtomicOutputFile`.
public enum SafetensorsWriter {
    /// Writes `tensors` (names must be unique and not `__metadata__`) with an optional
    /// string → string `metadata` map, stored under `__metadata__` with sorted keys.
    public static func write(_ tensors: [Tensor], metadata: [String: String] = [:], to path: String,
                             inputs: [FileIdentity] = []) throws {
        var seen = Set<String>()
        for t in tensors {
            guard t.name != "__metadata__", seen.insert(t.name).inserted else {
                throw ProteusError(.usage, path: path, "cannot write safetensors: tensor name '\(t.name)' is reserved or repeated")
            }
        }
        var header = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { JSONValue.quoted($0) + ":" + JSONValue.quoted(metadata[$0]!) }
            fields.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for t in tensors {
            let end = offset + t.bytes.count
            fields.append(JSONValue.quoted(t.name) + ":{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":["
                          + t.shape.map(String.init).joined(separator: ",") + "],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += fields.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        headerBytes += [UInt8](repeating: 0x20, count: (8 - headerBytes.count % 8) % 8)
        let out = try AtomicOutputFile(path: path, inputs: inputs)
        do {
            try out.write(integer: UInt64(headerBytes.count))
            try out.write(headerBytes)
            for t in tensors { try out.write(t.bytes) }
            try out.commit()
        } catch {
            out.discard()
            throw error
        }
    }
}
