/// The routing tier of a mapped index, used in place (`RoutingTierContents` is the
/// writer's form). Looking an id up is a binary search over the directory; its window list
/// is decoded straight from the mapping, with every step bounds-checked, so a corrupt list
/// is an error naming the section and byte, never a wrong read.
public struct RoutingTier {
    /// Keeps the mapping alive as long as the view.
    let owner: HeroIndex
    public let shape: RoutingTierShape
    let ids: UnsafeBufferPointer<UInt32>
    let windowCounts: UnsafeBufferPointer<UInt32>
    let skips: UnsafeBufferPointer<UInt64>
    let postings: UnsafeRawBufferPointer

    /// Number of ids that occur in the corpus.
    public var idCount: Int { ids.count }
    /// Bytes of all four sections.
    public var byteCount: Int { ids.count * 8 + skips.count * 8 + postings.count }

    /// The directory entry of `id`, nil when the id never occurs in the corpus.
    func entry(of id: UInt32) -> Int? {
        var lo = 0, hi = ids.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ids[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < ids.count && ids[lo] == id ? lo : nil
    }

    /// Windows holding the id of entry `k`.
    func windowCount(ofEntry k: Int) -> Int { Int(windowCounts[k]) }

    /// Whether entry `k` has a window list (ids in more windows have none).
    func hasList(_ k: Int) -> Bool { Int(windowCounts[k]) <= shape.listLimit }

    /// Calls `body` with every window of entry `k`'s list, increasing.
    func forEachWindow(ofEntry k: Int, _ body: (Int) -> Void) throws {
        guard hasList(k) else { return }
        let n = Int(windowCounts[k]), windows = shape.windowCount
        var offset = Int(skips[k / RoutingTierContents.skipInterval])
        for j in (k - k % RoutingTierContents.skipInterval)..<k where hasList(j) {
            offset += PostingList.byteCount(count: Int(windowCounts[j]), windows: windows)
        }
        let size = PostingList.byteCount(count: n, windows: windows)
        guard offset <= postings.count, size <= postings.count - offset,
              PostingList.forEach(UnsafeRawBufferPointer(rebasing: postings[offset..<(offset + size)]),
                                  count: n, windows: windows, body) else {
            throw ProteusError(.dataError, path: owner.path,
                               "section 'RPST' at byte \(owner.entry(.routePostings).offset + UInt64(offset)): the window list of token id \(ids[k]) is corrupt")
        }
    }
}

extension HeroIndex {
    /// The routing tier, nil when the index has none (format version 1, or built without).
    /// First access verifies the directory sections' checksums and their consistency: ids
    /// increasing and inside the vocabulary, counts inside the window count, and skip
    /// offsets that add up to the postings section exactly.
    public func routing() throws -> RoutingTier? {
        guard let shape = metadata.routing else { return nil }
        for kind in [SectionKind.routeIDs, .routeWindowCounts, .routeSkips] { try verifyOnce(kind) }
        let tier = RoutingTier(owner: self, shape: shape, ids: view(.routeIDs, as: UInt32.self),
                               windowCounts: view(.routeWindowCounts, as: UInt32.self),
                               skips: view(.routeSkips, as: UInt64.self), postings: rawBytes(.routePostings))
        try checkOnce(2) {
            func fail(_ kind: SectionKind, _ what: String) -> ProteusError {
                ProteusError(.dataError, path: path, "section '\(kind.rawValue)' at byte \(entry(kind).offset): \(what)")
            }
            var previous: Int64 = -1
            var offset: UInt64 = 0
            for k in 0..<tier.ids.count {
                let id = Int64(tier.ids[k]), n = Int(tier.windowCounts[k])
                guard id > previous, id < Int64(metadata.vocabularySize) else {
                    throw fail(.routeIDs, "entry \(k) (id \(id)) is not above the previous id or is outside the vocabulary")
                }
                guard n >= 1, n <= shape.windowCount else {
                    throw fail(.routeWindowCounts, "entry \(k) says id \(id) is in \(n) of \(shape.windowCount) windows")
                }
                if k % RoutingTierContents.skipInterval == 0 {
                    guard tier.skips[k / RoutingTierContents.skipInterval] == offset else {
                        throw fail(.routeSkips, "skip offset \(k / RoutingTierContents.skipInterval) does not match the list sizes")
                    }
                }
                if tier.hasList(k) { offset += UInt64(PostingList.byteCount(count: n, windows: shape.windowCount)) }
                previous = id
            }
            guard offset == UInt64(tier.postings.count) else {
                throw fail(.routePostings, "\(tier.postings.count) bytes, but the directory's lists need \(offset)")
            }
        }
        return tier
    }
}
