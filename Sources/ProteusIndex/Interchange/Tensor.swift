/// Element types of interchange tensors, named as safetensors names them.
public enum TensorDType: String, CaseIterable, Sendable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", u16 = "U16", i16 = "I16", f16 = "F16", bf16 = "BF16"
    case u32 = "U32", i32 = "I32", f32 = "F32", u64 = "U64", i64 = "I64", f64 = "F64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .u8, .i8: return 1
        case .u16, .i16, .f16, .bf16: return 2
        case .u32, .i32, .f32: return 4
        case .u64, .i64, .f64: return 8
        }
    }

    /// numpy's `descr` for this type on a little-endian file, nil for bfloat16 (numpy has none).
    public var npyDescr: String? {
        switch self {
        case .bool: return "|b1"
        case .u8: return "|u1"
        case .i8: return "|i1"
        case .u16: return "<u2"
        case .i16: return "<i2"
        case .f16: return "<f2"
        case .bf16: return nil
        case .u32: return "<u4"
        case .i32: return "<i4"
        case .f32: return "<f4"
        case .u64: return "<u8"
        case .i64: return "<i8"
        case .f64: return "<f8"
        }
    }

    /// The type of a numpy `descr`; `=` (native) counts as little-endian, as the host is.
    init?(npyDescr descr: String) {
        var d = descr
        if d.hasPrefix("=") { d = "<" + d.dropFirst() }
        if d.count == 3, d.hasSuffix("1"), d.hasPrefix("<") { d = "|" + d.dropFirst() }
        guard let match = TensorDType.allCases.first(where: { $0.npyDescr == d }) else { return nil }
        self = match
    }

    /// Whether an embedding matrix may be stored with this type (it is converted to Float).
    public var isFloatingPoint: Bool { self == .f16 || self == .bf16 || self == .f32 || self == .f64 }
}

/// Swift element types that map to a tensor dtype, for building tensors from arrays.
public protocol TensorElement { static var tensorDType: TensorDType { get } }
extension UInt8: TensorElement { public static var tensorDType: TensorDType { .u8 } }
extension Int8: TensorElement { public static var tensorDType: TensorDType { .i8 } }
extension UInt16: TensorElement { public static var tensorDType: TensorDType { .u16 } }
extension Int16: TensorElement { public static var tensorDType: TensorDType { .i16 } }
extension UInt32: TensorElement { public static var tensorDType: TensorDType { .u32 } }
extension Int32: TensorElement { public static var tensorDType: TensorDType { .i32 } }
extension UInt64: TensorElement { public static var tensorDType: TensorDType { .u64 } }
extension Int64: TensorElement { public static var tensorDType: TensorDType { .i64 } }
extension Float: TensorElement { public static var tensorDType: TensorDType { .f32 } }
extension Double: TensorElement { public static var tensorDType: TensorDType { .f64 } }
#if arch(x86_64) || arch(arm64)
extension Float16: TensorElement { public static var tensorDType: TensorDType { .f16 } }
#endif

/// One named tensor to write: dtype, shape and its little-endian bytes in C (row-major) order.
public struct Tensor: Equatable, Sendable {
    /// Key in a safetensors header (not stored in .npy).
    public var name: String
    /// Element type.
    public var dtype: TensorDType
    /// Dimensions, outermost first.
    public var shape: [Int]
    /// Little-endian element bytes in C order.
    public var bytes: [UInt8]

    /// A tensor from raw bytes; `bytes.count` must equal the shape's element count × dtype size.
    public init(name: String, dtype: TensorDType, shape: [Int], bytes: [UInt8]) {
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) * dtype.byteSize == bytes.count,
                     "tensor '\(name)': \(bytes.count) bytes do not match shape \(shape) of \(dtype.rawValue)")
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// A tensor from typed values (shape defaults to 1-D).
    public init<T: TensorElement>(name: String, shape: [Int]? = nil, values: [T]) {
        let bytes = values.withUnsafeBytes { Array($0) }
        self.init(name: name, dtype: T.tensorDType, shape: shape ?? [values.count], bytes: bytes)
    }

    /// A bfloat16 tensor from Floats (rounded to nearest even, as PyTorch does).
    public static func bfloat16(name: String, shape: [Int], values: [Float]) -> Tensor {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 2)
        for v in values {
            let bits = v.bitPattern
            let rounded = v.isNaN ? (bits | 0x40_0000) >> 16 : (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16
            bytes.append(UInt8(truncatingIfNeeded: rounded))
            bytes.append(UInt8(truncatingIfNeeded: rounded >> 8))
        }
        return Tensor(name: name, dtype: .bf16, shape: shape, bytes: bytes)
    }
}
