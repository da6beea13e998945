/// A numpy `.npy` file (versions 1.0, 2.0 and 3.0) opened by memory map (or already in memory):
/// dtype, shape and the data bytes, with the header dict parsed strictly (only the three keys
/// numpy writes).
public final class NPYFile: WholeFileFormat {
    /// Opens and maps `path`, parsing and checking its header; throws a one-line `ProteusError`.
    public convenience init(path: String) throws { try self.init(opening: path) }

    /// The path as given, for messages.
    public let path: String
    /// numpy's dtype string, such as "<f4".
    public let descr: String
    /// The element type, nil when numpy's `descr` is not one this library handles.
    public let dtype: TensorDType?
    /// The array's shape (empty for a scalar).
    public let shape: [Int]
    /// True for column-major data (refused by the embedding loader).
    public let fortranOrder: Bool
    /// Offset of the first data byte.
    public let dataOffset: Int
    /// The whole file: the mapping, or the caller's buffer for `init(bytes:path:)`.
    let fileBytes: UnsafeRawBufferPointer
    /// Keeps the mapping alive (nil when parsing the caller's memory).
    private let mapping: WholeFile?

    init(bytes: UnsafeRawBufferPointer, path: String, mapping: WholeFile?) throws {
        self.path = path
        self.fileBytes = bytes
        self.mapping = mapping
        func fail(_ message: String) -> ProteusError { ProteusError(.dataError, path: path, message) }
        let head = Array(bytes.prefix(12))
        guard head.count >= 10, head.starts(with: NPYWriter.magic) else {
            throw fail("not a .npy file: it does not start with \\x93NUMPY")
        }
        let major = head[6]
        guard (1...3).contains(major), head.count >= (major == 1 ? 10 : 12) else {
            throw fail("unsupported .npy version \(major).\(head[7])")
        }
        let lengthBytes = major == 1 ? head[8..<10] : head[8..<12]
        let headerLength = lengthBytes.reversed().reduce(0) { $0 << 8 | Int($1) }
        let headerStart = major == 1 ? 10 : 12
        guard headerStart + headerLength <= bytes.count else {
            throw fail(".npy header length \(headerLength) goes beyond the end of the file (\(bytes.count) bytes)")
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[headerStart..<headerStart + headerLength]), as: UTF8.self)
        let dict = try NPYHeader.parse(text) { fail(".npy header \($0): \(text.trimmingSpaces)") }
        descr = dict.descr
        dtype = TensorDType(npyDescr: dict.descr)
        shape = dict.shape
        fortranOrder = dict.fortranOrder
        dataOffset = headerStart + headerLength
        var needed = dtype?.byteSize ?? 0, overflow = false
        for d in shape where !overflow { (needed, overflow) = needed.multipliedReportingOverflow(by: d) }
        guard !overflow else { throw fail("shape \(NPYFile.tuple(shape)) has too many elements (overflow)") }
        if let dtype, bytes.count - dataOffset != needed {
            throw fail("data is \(bytes.count - dataOffset) bytes but shape \(NPYFile.tuple(shape)) of '\(dict.descr)' needs \(needed) (\(dtype.byteSize) bytes each)")
        }
    }

    /// The data bytes (a view into the mapping, valid while this file is open).
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: fileBytes[dataOffset...]) }

    /// A shape as Python prints it: `(5,)`, `(2, 3)`.
    static func tuple(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}

/// The header dict of an .npy file: `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
enum NPYHeader {
    struct Dict { var descr: String; var fortranOrder: Bool; var shape: [Int] }

    static func parse(_ text: String, fail: (String) -> ProteusError) throws -> Dict {
        var s = Substring(text)
        func skip() { s = s.drop { $0 == " " || $0 == "\n" || $0 == "\t" } }
        func take(_ c: Character) throws { skip(); guard s.first == c else { throw fail("is malformed") }; s.removeFirst() }
        func quoted() throws -> String {
            skip()
            guard let q = s.first, q == "'" || q == "\"", let end = s.dropFirst().firstIndex(of: q) else { throw fail("is malformed") }
            defer { s = s[s.index(after: end)...] }
            return String(s[s.index(after: s.startIndex)..<end])
        }
        var descr: String?, fortran: Bool?, shape: [Int]?
        try take("{")
        while true {
            skip()
            if s.first == "}" { s.removeFirst(); break }
            let key = try quoted()
            try take(":")
            skip()
            switch key {
            case "descr": descr = try quoted()
            case "fortran_order":
                if s.hasPrefix("True") { fortran = true; s = s.dropFirst(4) } else if s.hasPrefix("False") { fortran = false; s = s.dropFirst(5) } else { throw fail("is malformed") }
            case "shape":
                try take("(")
                var dims: [Int] = []
                while true {
                    skip()
                    if s.first == ")" { s.removeFirst(); break }
                    let digits = s.prefix { $0.isASCII && $0.isNumber }
                    guard !digits.isEmpty, let d = Int(digits) else { throw fail("is malformed") }
                    dims.append(d)
                    s = s.dropFirst(digits.count)
                    skip()
                    if s.first == "," { s.removeFirst() }
                }
                shape = dims
            default: throw fail("has an unexpected key '\(key)'")
            }
            skip()
            if s.first == "," { s.removeFirst() }
        }
        guard let descr, let fortran, let shape else { throw fail("lacks 'descr', 'fortran_order' or 'shape'") }
        return Dict(descr: descr, fortranOrder: fortran, shape: shape)
    }
}
