/// A `[vocabulary, dimension]` embedding matrix read from a model's `.safetensors` or a
/// numpy `.npy`, converted to Float (F32, F16, BF16 and F64 are accepted), row-major.
/// Used to derive token features from real embeddings instead of corpus co-occurrence.
public struct EmbeddingMatrix: Equatable, Sendable {
    /// Number of rows (token ids).
    public var rows: Int
    /// Number of columns (embedding dimension).
    public var columns: Int
    /// `rows × columns` values, row after row.
    public var values: [Float]
    /// The dtype the values were stored with.
    public var storedDType: TensorDType
    /// The tensor's name (safetensors), nil for .npy.
    public var tensorName: String?

    /// A matrix from its parts; `values.count` should be `rows × columns`.
    public init(rows: Int, columns: Int, values: [Float], storedDType: TensorDType, tensorName: String?) {
        self.rows = rows
        self.columns = columns
        self.values = values
        self.storedDType = storedDType
        self.tensorName = tensorName
    }

    /// Row `i` of the matrix.
    public func row(_ i: Int) -> ArraySlice<Float> { values[i * columns..<(i + 1) * columns] }

    /// Loads a matrix. The format is decided by the file's first bytes (`\x93NUMPY` → .npy;
    /// otherwise safetensors). From safetensors, `tensorName` picks the tensor; without it the
    /// file must hold exactly one 2-D tensor.
    public static func load(path: String, tensorName: String? = nil) throws -> EmbeddingMatrix {
        let file = try WholeFile(path: path)
        return try withExtendedLifetime(file) { try decode(file.bytes, path: path, tensorName: tensorName) }
    }

    /// `load(path:tensorName:)` on a whole file already in memory (`path` is for messages):
    /// the same checks and messages, no file system (the fuzzer calls this directly).
    static func decode(_ bytes: UnsafeRawBufferPointer, path: String, tensorName: String?) throws -> EmbeddingMatrix {
        if bytes.count >= 6, bytes.starts(with: NPYWriter.magic) {
            return try fromNPY(NPYFile(bytes: bytes, path: path))
        }
        guard bytes.count >= 9, bytes[8] == UInt8(ascii: "{") else {
            throw ProteusError(.dataError, path: path, "not a safetensors or .npy file (a safetensors file starts with a header length and '{', an .npy with \\x93NUMPY)")
        }
        return try fromSafetensors(SafetensorsFile(bytes: bytes, path: path), tensorName: tensorName)
    }

    static func fromSafetensors(_ file: SafetensorsFile, tensorName: String?) throws -> EmbeddingMatrix {
        let path = file.path
        func fail(_ message: String) -> ProteusError { ProteusError(.dataError, path: path, message) }
        func listed(_ entries: [SafetensorsFile.Entry]) -> String {
            entries.map { "\($0.name) \($0.shape)" }.joined(separator: ", ")
        }
        let entry: SafetensorsFile.Entry
        if let tensorName {
            guard let named = file.entries.first(where: { $0.name == tensorName }) else {
                throw fail("no tensor named '\(tensorName)' (tensors: \(listed(file.entries)))")
            }
            guard named.shape.count == 2 else {
                throw fail("tensor '\(tensorName)' has shape \(named.shape), not a 2-D [vocabulary, dimension] matrix")
            }
            entry = named
        } else {
            let matrices = file.entries.filter { $0.shape.count == 2 }
            guard matrices.count == 1 else {
                throw fail(matrices.isEmpty
                    ? "no 2-D tensor to use as an embedding matrix (tensors: \(listed(file.entries)))"
                    : "several 2-D tensors (\(listed(matrices))); name the one to use")
            }
            entry = matrices[0]
        }
        guard let dtype = entry.dtype, dtype.isFloatingPoint else {
            throw fail("tensor '\(entry.name)' has dtype \(entry.dtypeName); an embedding matrix must be F32, F16, BF16 or F64")
        }
        return EmbeddingMatrix(rows: entry.shape[0], columns: entry.shape[1],
                               values: convert(file.bytes(of: entry), from: dtype),
                               storedDType: dtype, tensorName: entry.name)
    }

    static func fromNPY(_ file: NPYFile) throws -> EmbeddingMatrix {
        let path = file.path
        func fail(_ message: String) -> ProteusError { ProteusError(.dataError, path: path, message) }
        guard let dtype = file.dtype, dtype.isFloatingPoint else {
            throw fail("array has dtype '\(file.descr)'; an embedding matrix must be float32, float16 or float64 ('<f4', '<f2', '<f8')")
        }
        guard !file.fortranOrder else {
            throw fail("array is stored in Fortran (column-major) order; save it with numpy.ascontiguousarray")
        }
        guard file.shape.count == 2 else {
            throw fail("array has shape \(NPYFile.tuple(file.shape)), not a 2-D [vocabulary, dimension] matrix")
        }
        return EmbeddingMatrix(rows: file.shape[0], columns: file.shape[1],
                               values: convert(file.bytes, from: dtype), storedDType: dtype, tensorName: nil)
    }

    /// Little-endian stored values to Float. Loads are unaligned: safetensors only aligns its
    /// buffer to 8 bytes and a tensor may follow one of odd length.
    static func convert(_ raw: UnsafeRawBufferPointer, from dtype: TensorDType) -> [Float] {
        let count = raw.count / dtype.byteSize
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            guard let base = raw.baseAddress else { initialized = 0; return }
            switch dtype {
            case .f32:
                UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: base, byteCount: count * 4)
            case .f64:
                for i in 0..<count { out[i] = Float(base.loadUnaligned(fromByteOffset: i * 8, as: Double.self)) }
            case .bf16:
                for i in 0..<count {
                    out[i] = Float(bitPattern: UInt32(base.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) << 16)
                }
            case .f16:
                for i in 0..<count { out[i] = Float(halfBits: base.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) }
            default:
                preconditionFailure("not a floating-point dtype")
            }
            initialized = count
        }
    }
}

extension Float {
    /// IEEE half-precision bits to Float, exact (done by hand: Float16 is not available on
    /// every platform Swift targets).
    init(halfBits h: UInt16) {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        switch exponent {
        case 0 where mantissa == 0:
            self = Float(bitPattern: sign)
        case 0: // subnormal: mantissa × 2^-24
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            self = sign != 0 ? -magnitude : magnitude
        case 31:
            self = Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            self = Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
        }
    }
}

/// A whole file mapped for the interchange readers, which parse from memory. An empty file
/// (which `mmap` refuses) reads as an empty buffer so each parser gives its own "too short".
struct WholeFile {
    /// The mapping; nil for an empty file.
    let map: MappedFile?

    /// Opens and maps `path`; throws a one-line `ProteusError`.
    init(path: String) throws {
        let file = try SystemFile(openForReading: path)
        map = file.size == 0 ? nil : try MappedFile(file)
    }

    /// The file's bytes, valid while this value is alive.
    var bytes: UnsafeRawBufferPointer { map?.bytes ?? UnsafeRawBufferPointer(start: nil, count: 0) }
}

/// A format the interchange readers parse from a whole file in memory: mapped from a path,
/// or the caller's buffer (then `mapping` is nil and the buffer must outlive the value).
protocol WholeFileFormat {
    init(bytes: UnsafeRawBufferPointer, path: String, mapping: WholeFile?) throws
}

extension WholeFileFormat {
    /// Opens and maps `path`, parsing and checking its header; throws a one-line `ProteusError`.
    init(opening path: String) throws {
        let file = try WholeFile(path: path)
        try self.init(bytes: file.bytes, path: path, mapping: file)
    }

    /// Parses and checks a whole file held in memory (`path` is for messages). `bytes` is
    /// where the data views point, so it must outlive the value.
    init(bytes: UnsafeRawBufferPointer, path: String) throws {
        try self.init(bytes: bytes, path: path, mapping: nil)
    }
}
