extension HeroIndex {
    /// Whether this is a shard index (`build --shard`, `merge --partial`): its routing windows
    /// wait, un-inverted, for the merge.
    var isShard: Bool { byKind[SectionKind.shardState.ordinal] != nil }

    /// The shard state of a shard index (checksum verified); nil for a whole index.
    func shardState(withDNA: Bool = true, withWindows: Bool = true) throws -> ShardState? {
        guard byKind[SectionKind.shardState.ordinal] != nil, byKind[SectionKind.shardWindows.ordinal] != nil else { return nil }
        try verifyOnce(.shardState)
        let e = entry(.shardState)
        return try ShardState.decode(rawBytes(.shardState), withDNA: withDNA, withWindows: withWindows) {
            ProteusError(.dataError, path: self.path, "section 'SHRD' at byte \(e.offset): \($0)")
        }
    }

    /// A shard's routing windows, read in place from the mapping (checksum verified).
    func shardWindows(_ state: ShardState) throws -> ShardWindows {
        try verifyOnce(.shardWindows)
        return ShardWindows(spill: SectionBlob(mapped: rawBytes(.shardWindows), owner: self), windowCount: state.windowCount,
                            lineStarts: state.lineStarts, lineBreaks: state.lineBreaks,
                            pairFilters: try pairFilters(windows: state.windowCount)?.contents(owner: self))
    }
}
