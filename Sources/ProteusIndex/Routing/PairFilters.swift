/// The joined-pair filters of every routing window (`JoinedPairs`): u64 words, window after
/// window, and the word where each window's filter starts (`windows + 1` offsets). Like the
/// window lists, a window's filter covers the pairs within `windowReach` past its edges.
/// Stored as sections `RPRF` (words) and `RPRO` (offsets); a shard index carries its own,
/// which a merge puts one after the other.
public struct PairFilters: Equatable, Sendable {
    public var words: SectionBlob
    public var offsets: [UInt64]

    public init(words: SectionBlob = SectionBlob(), offsets: [UInt64] = [0]) {
        self.words = words
        self.offsets = offsets
    }

    var windowCount: Int { offsets.count - 1 }

    /// Consecutive shards' filters as one: the words one after the other, offsets shifted.
    /// Nil when a shard has none (built without a tokenizer, or before filters existed).
    init?(concatenating parts: [PairFilters?]) {
        var offsets: [UInt64] = [0]
        var blobs: [SectionBlob] = []
        for part in parts {
            guard let part else { return nil }
            let base = offsets.removeLast()
            offsets.append(contentsOf: part.offsets.map { $0 + base })
            blobs.append(part.words)
        }
        self.init(words: SectionBlob(concatenating: blobs), offsets: offsets)
    }

    /// Why `offsets` cannot describe `windows` windows in `words` words, nil when they can:
    /// from 0, every filter at least one word, ending at the last word.
    static func problem(offsets: UnsafeBufferPointer<UInt64>, windows: Int, words: Int) -> (element: Int, what: String)? {
        guard offsets.count == windows + 1 else { return (0, "\(offsets.count) offsets, expected \(windows + 1) (one per routing window and one more)") }
        guard offsets[0] == 0 else { return (0, "the first filter starts at word \(offsets[0]), not 0") }
        for w in 0..<windows where offsets[w + 1] <= offsets[w] {
            return (w + 1, "window \(w)'s filter ends at word \(offsets[w + 1]), not after its start \(offsets[w])")
        }
        guard offsets[windows] == UInt64(words) else {
            return (windows, "the filters end at word \(offsets[windows]), but 'RPRF' holds \(words) words")
        }
        return nil
    }
}

/// Collects the filters of a build's windows, in window order, in an unlinked temporary file.
final class PairFilterSpill {
    private let file: UnlinkedTemporaryFile
    private var pending: [UInt64] = []
    private(set) var offsets: [UInt64] = [0]

    init(folder: String?, name: String) throws {
        file = try UnlinkedTemporaryFile(folder: folder, name: name, holding: "the routing tier's pair filters")
        pending.reserveCapacity(1 << 17)
    }

    func add(_ filter: [UInt64]) throws {
        pending.append(contentsOf: filter)
        offsets.append(offsets[offsets.count - 1] + UInt64(filter.count))
        if pending.count >= 1 << 17 { try flush() }
    }

    private func flush() throws {
        try pending.withUnsafeBytes { try file.write($0) }
        pending.removeAll(keepingCapacity: true)
    }

    func finish() throws -> PairFilters {
        try flush()
        return PairFilters(words: try SectionBlob(file: file), offsets: offsets)
    }
}

/// The filters of a mapped index, read in place.
struct PairFilterView {
    let words: UnsafeBufferPointer<UInt64>
    let offsets: UnsafeBufferPointer<UInt64>

    /// Window `w`'s filter.
    func filter(_ w: Int) -> UnsafeBufferPointer<UInt64> {
        UnsafeBufferPointer(rebasing: words[Int(offsets[w])..<Int(offsets[w + 1])])
    }

    /// Whether window `w` may hold one of the pairs hashed in `hashes`.
    func mayHold(anyOf hashes: [UInt64], window w: Int) -> Bool {
        let f = filter(w)
        return hashes.contains { JoinedPairs.mayContain($0, in: f) }
    }
}
