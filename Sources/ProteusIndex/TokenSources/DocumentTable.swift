/// The documents of a token stream: where each starts, how long it is, and its name.
///
/// Documents are contiguous and in order: document `i` covers
/// `starts[i] ..< starts[i] + lengths[i]`, and `starts[i + 1] == starts[i] + lengths[i]`.
///
/// A table is a sequence of parts, each a `DocumentStorage`: the tables of large inputs are
/// views of bytes that stay on disk (a Megatron `.idx` and a `.tok` document frame in place in
/// their mappings, an index's document sections), so millions of documents cost a few bytes
/// per 64 documents of memory rather than a copy of every start and name. Documents appended
/// one by one (small tables, files of one document) are held in memory, names as one UTF-8
/// pool. Concatenating tables (`append(contentsOf:)`) shares their storage.
public struct DocumentTable: Equatable, Sendable {
    private struct Part: Sendable {
        var firstDocument: Int
        var firstToken: UInt64
        var storage: any DocumentStorage
    }

    /// Storage shared with other tables, in stream order; never empty parts.
    private var parts: [Part] = []
    private var partDocuments = 0
    private var partTokens: UInt64 = 0
    /// Documents appended one by one, after the parts.
    private var tail = DocumentList()

    public init() {}

    /// A table with one document covering `tokenCount` tokens.
    public init(single name: String, tokenCount: UInt64) {
        append(name: name, length: tokenCount)
    }

    /// A table over `storage`'s documents.
    init(_ storage: any DocumentStorage) {
        if storage.count > 0 {
            parts = [Part(firstDocument: 0, firstToken: 0, storage: storage)]
            partDocuments = storage.count
            partTokens = storage.tokenCount
        }
    }

    public var count: Int { partDocuments + tail.count }
    public var tokenCount: UInt64 { partTokens + tail.tokenCount }

    /// Bytes of memory the table itself holds (its views of mapped bytes excluded): what the
    /// tests check does not grow with the document count of a mapped table.
    var heldBytes: Int {
        parts.reduce(tail.heldBytes + parts.capacity * MemoryLayout<Part>.stride) { $0 + $1.storage.heldBytes }
    }

    /// Appends a document after the last one.
    public mutating func append(name: String, length: UInt64) {
        tail.append(name: name, length: length)
    }

    /// Appends every document of `other`, shifted to follow this table's last token. Mapped
    /// parts are shared, not copied.
    public mutating func append(contentsOf other: DocumentTable) {
        if other.parts.isEmpty {
            tail.append(contentsOf: other.tail)
            return
        }
        freezeTail()
        for p in other.parts {
            parts.append(Part(firstDocument: partDocuments + p.firstDocument, firstToken: partTokens + p.firstToken,
                              storage: p.storage))
        }
        partDocuments += other.partDocuments
        partTokens += other.partTokens
        tail = other.tail
    }

    /// Turns the documents appended one by one into a part, so a shared part can follow them.
    private mutating func freezeTail() {
        guard tail.count > 0 else { return }
        parts.append(Part(firstDocument: partDocuments, firstToken: partTokens, storage: tail))
        partDocuments += tail.count
        partTokens += tail.tokenCount
        tail = DocumentList()
    }

    /// The storage holding document `i`, its index there and the stream position of its first token.
    @inline(__always)
    private func locate(_ i: Int) -> (storage: any DocumentStorage, index: Int, base: UInt64) {
        precondition(i >= 0 && i < count, "document index out of range")
        if i >= partDocuments { return (tail, i - partDocuments, partTokens) }
        var lo = 0, hi = parts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if parts[mid].firstDocument <= i { lo = mid } else { hi = mid - 1 }
        }
        let p = parts[lo]
        return (p.storage, i - p.firstDocument, p.firstToken)
    }

    /// Stream position of document `i`'s first token.
    public func start(_ i: Int) -> UInt64 {
        if parts.isEmpty { return tail.start(i) }
        let (s, j, base) = locate(i)
        return base + s.start(j)
    }

    /// Tokens in document `i`.
    public func length(_ i: Int) -> UInt64 {
        if parts.isEmpty { return tail.start(i + 1) - tail.start(i) }
        let (s, j, _) = locate(i)
        return s.start(j + 1) - s.start(j)
    }

    /// The name of document `i`.
    public func name(_ i: Int) -> String {
        let (s, j, _) = locate(i)
        return s.withName(j) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the UTF-8 bytes of document `i`'s name (valid only during the call).
    public func withName<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let (s, j, _) = locate(i)
        return try s.withName(j, body)
    }

    /// Calls `body` for every document in order with its index, start, length and the UTF-8
    /// bytes of its name (valid only during the call). Sequential: no lookup per document.
    public func forEachDocument(_ body: (_ index: Int, _ start: UInt64, _ length: UInt64,
                                         _ name: UnsafeRawBufferPointer) throws -> Void) rethrows {
        for p in parts {
            var i = p.firstDocument
            try p.storage.forEach { start, length, name in
                try body(i, p.firstToken + start, length, name)
                i += 1
            }
        }
        var i = partDocuments
        try tail.forEach { start, length, name in
            try body(i, partTokens + start, length, name)
            i += 1
        }
    }

    /// The document holding absolute position `position` (binary search), or nil past the end.
    /// Empty documents never contain a position.
    public func document(containing position: UInt64) -> Int? {
        guard position < tokenCount else { return nil }
        // The last document starting at or before `position` is never empty here: an
        // empty one shares its start with the next, which the search prefers. It lies in the
        // last part starting at or before `position` (parts are never empty).
        if position >= partTokens && tail.count > 0 {
            return partDocuments + tail.lastDocument(atOrBefore: position - partTokens)
        }
        var lo = 0, hi = parts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if parts[mid].firstToken <= position { lo = mid } else { hi = mid - 1 }
        }
        let p = parts[lo]
        return p.firstDocument + p.storage.lastDocument(atOrBefore: position - p.firstToken)
    }

    /// Start positions, as a collection (each element looked up on access).
    public var starts: DocumentColumn<UInt64> { DocumentColumn(self) { $0.start($1) } }
    /// Lengths in tokens, as a collection (each element looked up on access).
    public var lengths: DocumentColumn<UInt64> { DocumentColumn(self) { $0.length($1) } }
    /// Names, as a collection (each element decoded on access).
    public var names: DocumentColumn<String> { DocumentColumn(self) { $0.name($1) } }

    /// Same documents: same starts, lengths and name bytes, however each table is stored.
    public static func == (a: DocumentTable, b: DocumentTable) -> Bool {
        guard a.count == b.count, a.tokenCount == b.tokenCount else { return false }
        var same = true
        a.forEachDocument { i, start, length, name in
            guard same else { return }
            same = b.start(i) == start && b.length(i) == length && b.withName(i) { $0.elementsEqual(name) }
        }
        return same
    }
}

/// One column of a `DocumentTable` as a random-access collection (`table.starts[i]`).
public struct DocumentColumn<Element: Equatable>: RandomAccessCollection, Equatable, Sendable {
    let table: DocumentTable
    let element: @Sendable (DocumentTable, Int) -> Element

    init(_ table: DocumentTable, _ element: @escaping @Sendable (DocumentTable, Int) -> Element) {
        self.table = table
        self.element = element
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { table.count }
    public subscript(i: Int) -> Element { element(table, i) }

    public static func == (a: Self, b: Self) -> Bool { a.elementsEqual(b) }
    public static func == (a: Self, b: [Element]) -> Bool { a.elementsEqual(b) }
    public static func == (a: [Element], b: Self) -> Bool { a.elementsEqual(b) }
}

/// Where the documents of one part of a `DocumentTable` live. Positions are relative to the
/// part's first token. Implementations are immutable once shared.
protocol DocumentStorage: Sendable {
    var count: Int { get }
    var tokenCount: UInt64 { get }
    /// Bytes of memory this storage holds (views of mapped bytes excluded).
    var heldBytes: Int { get }
    /// Start of document `i`, for `0 ... count` (`count` gives `tokenCount`).
    func start(_ i: Int) -> UInt64
    /// Calls `body` with the UTF-8 bytes of document `i`'s name.
    func withName<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
    /// Every document in order: start, length, name bytes (valid only during the call).
    func forEach(_ body: (UInt64, UInt64, UnsafeRawBufferPointer) throws -> Void) rethrows
    /// The last document starting at or before `position` (0 when none does); `count > 0`.
    func lastDocument(atOrBefore position: UInt64) -> Int
}

extension DocumentStorage {
    /// Binary search over `start(_:)`.
    func searchedDocument(atOrBefore position: UInt64, in range: Range<Int>) -> Int {
        var lo = range.lowerBound, hi = range.upperBound - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if start(mid) <= position { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }
}

/// Documents held in memory: boundaries and one UTF-8 pool of names.
struct DocumentList: DocumentStorage {
    /// `boundaries[i]` is document `i`'s start; one extra entry is the token count.
    private var boundaries: [UInt64] = [0]
    /// Name `i` is `pool[nameEnds[i] ..< nameEnds[i + 1]]`.
    private var nameEnds: [Int] = [0]
    private var pool: [UInt8] = []

    var count: Int { boundaries.count - 1 }
    var tokenCount: UInt64 { boundaries[boundaries.count - 1] }
    var heldBytes: Int { boundaries.capacity * 8 + nameEnds.capacity * 8 + pool.capacity }

    mutating func append(name: String, length: UInt64) {
        boundaries.append(tokenCount + length)
        pool.append(contentsOf: name.utf8)
        nameEnds.append(pool.count)
    }

    mutating func append(contentsOf other: DocumentList) {
        let base = tokenCount, poolBase = pool.count
        boundaries.append(contentsOf: other.boundaries.dropFirst().lazy.map { base + $0 })
        nameEnds.append(contentsOf: other.nameEnds.dropFirst().lazy.map { poolBase + $0 })
        pool.append(contentsOf: other.pool)
    }

    func start(_ i: Int) -> UInt64 { boundaries[i] }

    func lastDocument(atOrBefore position: UInt64) -> Int {
        lastStart(atOrBefore: position, in: boundaries, count: count)
    }

    func withName<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try pool.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[nameEnds[i]..<nameEnds[i + 1]])) }
    }

    func forEach(_ body: (UInt64, UInt64, UnsafeRawBufferPointer) throws -> Void) rethrows {
        try pool.withUnsafeBytes { names in
            for i in 0..<count {
                try body(boundaries[i], boundaries[i + 1] - boundaries[i],
                         UnsafeRawBufferPointer(rebasing: names[nameEnds[i]..<nameEnds[i + 1]]))
            }
        }
    }
}
