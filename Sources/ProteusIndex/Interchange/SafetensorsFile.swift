/// A `.safetensors` file opened by memory map (or already in memory), its header parsed and
/// checked the way the reference Rust implementation checks it: known dtypes, data offsets
/// matching dtype × shape, and tensors covering the data buffer exactly (no gaps, no
/// overlaps, nothing after).
public final class SafetensorsFile: WholeFileFormat {
    /// Opens and maps `path` and checks its header; throws a one-line `ProteusError`.
    public convenience init(path: String) throws { try self.init(opening: path) }

    /// Headers larger than this are refused before anything is allocated for them (the
    /// reference implementation uses the same 100 MB limit).
    public static let maximumHeaderSize: UInt64 = 100_000_000

    /// One tensor as described in the header.
    public struct Entry: Equatable, Sendable {
        /// The tensor's key in the header.
        public var name: String
        /// The dtype as stored ("F32", "F8_E4M3"); `dtype` is nil for types this library does not convert.
        public var dtypeName: String
        /// The stored type when this library converts it.
        public var dtype: TensorDType?
        /// The tensor's shape.
        public var shape: [Int]
        /// Absolute byte range in the file.
        public var range: Range<Int>
    }

    /// The path as given, for messages.
    public let path: String
    /// Every tensor, in header order.
    public let entries: [Entry]
    /// The `__metadata__` map, empty when absent.
    public let metadata: [String: String]
    /// The whole file: the mapping, or the caller's buffer for `init(bytes:path:)`.
    let fileBytes: UnsafeRawBufferPointer
    /// Keeps the mapping alive (nil when parsing the caller's memory).
    private let mapping: WholeFile?

    /// Byte sizes of stored dtypes this library does not convert but must skip over correctly.
    static let otherDTypeSizes = ["F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1, "C64": 8]

    init(bytes: UnsafeRawBufferPointer, path: String, mapping: WholeFile?) throws {
        self.path = path
        self.fileBytes = bytes
        self.mapping = mapping
        func fail(_ message: String) -> ProteusError { ProteusError(.dataError, path: path, message) }
        guard bytes.count >= 8 else {
            throw fail("not a safetensors file: \(bytes.count) bytes, too short for the 8-byte header length")
        }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= SafetensorsFile.maximumHeaderSize else {
            throw fail("safetensors header of \(headerLength) bytes is larger than the 100 MB limit")
        }
        guard 8 + headerLength <= UInt64(bytes.count) else {
            throw fail("safetensors header length \(headerLength) goes beyond the end of the file (\(bytes.count) bytes)")
        }
        let dataStart = 8 + Int(headerLength)
        let header: HeaderJSON
        do {
            header = try HeaderJSON.parse(UnsafeRawBufferPointer(rebasing: bytes[8..<dataStart]))
        } catch let e as HeaderJSON.SyntaxError {
            throw fail("safetensors header is not valid JSON: \(e.reason) at header byte \(e.offset)")
        }
        guard case .object(let fields) = header else { throw fail("safetensors header is not a JSON object") }
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (name, value) in fields {
            if name == "__metadata__" {
                guard case .object(let pairs) = value else { throw fail("safetensors __metadata__ must map strings to strings") }
                for (k, v) in pairs {
                    guard case .string(let s) = v else { throw fail("safetensors __metadata__ must map strings to strings") }
                    metadata[k] = s
                }
                continue
            }
            entries.append(try SafetensorsFile.entry(name, value, dataStart: dataStart, fail: fail))
        }
        try SafetensorsFile.checkCoverage(entries, dataStart: dataStart, fileSize: bytes.count, fail: fail)
        self.entries = entries
        self.metadata = metadata
    }

    private static func entry(_ name: String, _ value: HeaderJSON, dataStart: Int,
                              fail: (String) -> ProteusError) throws -> Entry {
        let malformed = fail("tensor '\(name)': expected {\"dtype\": string, \"shape\": [integers], \"data_offsets\": [begin, end]}")
        guard case .object(let pairs) = value,
              case .string(let dtypeName)? = pairs.first(where: { $0.0 == "dtype" })?.1,
              case .array(let shapeItems)? = pairs.first(where: { $0.0 == "shape" })?.1,
              case .array(let offsetItems)? = pairs.first(where: { $0.0 == "data_offsets" })?.1 else { throw malformed }
        func integers(_ items: [HeaderJSON]) -> [Int]? {
            let values = items.compactMap { item -> Int? in
                if case .number(_, let i?) = item, i >= 0 { return Int(i) }
                return nil
            }
            return values.count == items.count ? values : nil
        }
        guard let shape = integers(shapeItems), let offsets = integers(offsetItems), offsets.count == 2,
              offsets[0] <= offsets[1] else { throw malformed }
        let dtype = TensorDType(rawValue: dtypeName)
        guard let elementSize = dtype?.byteSize ?? otherDTypeSizes[dtypeName] else {
            throw fail("tensor '\(name)': unknown dtype '\(dtypeName)'")
        }
        var needed = elementSize, overflow = false
        for d in shape where !overflow { (needed, overflow) = needed.multipliedReportingOverflow(by: d) }
        guard !overflow else { throw fail("tensor '\(name)': shape \(shape) has too many elements (overflow)") }
        guard offsets[1] - offsets[0] == needed else {
            throw fail("tensor '\(name)': data_offsets [\(offsets[0]), \(offsets[1])] hold \(offsets[1] - offsets[0]) bytes, but \(dtypeName) \(shape) needs \(needed)")
        }
        let (begin, o1) = dataStart.addingReportingOverflow(offsets[0])
        let (end, o2) = dataStart.addingReportingOverflow(offsets[1])
        guard !o1, !o2 else { throw fail("tensor '\(name)': data_offsets overflow") }
        return Entry(name: name, dtypeName: dtypeName, dtype: dtype, shape: shape, range: begin..<end)
    }

    private static func checkCoverage(_ entries: [Entry], dataStart: Int, fileSize: Int,
                                      fail: (String) -> ProteusError) throws {
        var expected = dataStart
        for e in entries.sorted(by: { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }) {
            guard e.range.lowerBound == expected else {
                throw fail("data offsets do not cover the data buffer exactly: tensor '\(e.name)' starts at data byte \(e.range.lowerBound - dataStart), expected \(expected - dataStart)")
            }
            expected = e.range.upperBound
        }
        guard expected == fileSize else {
            throw fail("data offsets do not cover the data buffer exactly: tensors end at data byte \(expected - dataStart), the buffer has \(fileSize - dataStart) bytes")
        }
    }

    /// The stored bytes of a tensor (a view into the mapping, valid while this file is open).
    public func bytes(of entry: Entry) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: fileBytes[entry.range])
    }
}
