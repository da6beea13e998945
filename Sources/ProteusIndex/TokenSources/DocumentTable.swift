/// The documents of a token stream: where each starts, how long it is, and its name.
///
/// Documents are contiguous and in order: document `i` covers
/// `starts[i] ..< starts[i] + lengths[i]`, and `starts[i + 1] == starts[i] + lengths[i]`.
public struct DocumentTable: Equatable, Sendable {
    public private(set) var starts: [UInt64] = []
    public private(set) var lengths: [UInt64] = []
    public private(set) var names: [String] = []

    public init() {}

    /// A table with one document covering `tokenCount` tokens.
    public init(single name: String, tokenCount: UInt64) {
        append(name: name, length: tokenCount)
    }

    public var count: Int { starts.count }
    public var tokenCount: UInt64 { (starts.last ?? 0) + (lengths.last ?? 0) }

    /// Appends a document after the last one.
    public mutating func append(name: String, length: UInt64) {
        starts.append(tokenCount)
        lengths.append(length)
        names.append(name)
    }

    /// Appends every document of `other`, shifted to follow this table's last token.
    public mutating func append(contentsOf other: DocumentTable) {
        for i in 0..<other.count { append(name: other.names[i], length: other.lengths[i]) }
    }

    /// The document holding absolute position `position` (binary search), or nil past the end.
    /// Empty documents never contain a position.
    public func document(containing position: UInt64) -> Int? {
        guard position < tokenCount else { return nil }
        let lo = lastStart(atOrBefore: position, in: starts, count: starts.count)
        // The last document starting at or before `position` is never empty here: an
        // empty one shares its start with the next, which the search prefers.
        return lo
    }
}
