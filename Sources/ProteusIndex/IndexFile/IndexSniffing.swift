extension HeroIndex {
    /// Whether `path` starts with the `.phb` magic (so `inspect` knows which describer to
    /// use). Any read problem answers false and is reported by the token-file path instead.
    public static func looksLikeIndex(path: String) -> Bool {
        guard let file = try? SystemFile(openForReading: path), file.size >= UInt64(IndexFormat.magic.count),
              let head = try? file.readBytes(at: 0, count: IndexFormat.magic.count) else { return false }
        return head == IndexFormat.magic
    }
}
