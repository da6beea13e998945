/// Writes numpy `.npy` version 1.0 files: magic, version, u16 header length, the header dict
/// padded with spaces and ending in a newline so the data starts on a 64-byte boundary,
/// then the data in C order. Output goes through `AtomicOutputFile`.
public enum NPYWriter {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Writes one tensor (its name is not stored: an .npy holds a single array).
    public static func write(_ tensor: Tensor, to path: String, inputs: [FileIdentity] = []) throws {
        guard let descr = tensor.dtype.npyDescr else {
            throw ProteusError(.usage, path: path, "numpy has no \(tensor.dtype.rawValue) dtype; write this tensor as safetensors")
        }
        let header = headerBytes(descr: descr, shape: tensor.shape)
        guard header.count <= Int(UInt16.max) else {
            throw ProteusError(.usage, path: path, "shape with \(tensor.shape.count) dimensions is too long for an .npy v1.0 header")
        }
        let out = try AtomicOutputFile(path: path, inputs: inputs)
        do {
            try out.write(magic + [1, 0])
            try out.write(integer: UInt16(header.count))
            try out.write(header)
            try out.write(tensor.bytes)
            try out.commit()
        } catch {
            out.discard()
            throw error
        }
    }

    /// The padded header dict, as numpy writes it: `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
    static func headerBytes(descr: String, shape: [Int]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var text = Array("{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }".utf8)
        let unpadded = magic.count + 2 + 2 + text.count + 1
        text += [UInt8](repeating: 0x20, count: (64 - unpadded % 64) % 64)
        text.append(0x0A)
        return text
    }
}
