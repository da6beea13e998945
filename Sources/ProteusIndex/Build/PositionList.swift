/// A file of sorted little-endian u64 token positions (`build --keep-positions`).
public enum PositionList {
    public static func read(path: String) throws -> [UInt64] {
        let file = try SystemFile(openForReading: path)
        guard file.size % 8 == 0 else {
            throw ProteusError(.dataError, path: path, "size \(file.size) is not a multiple of 8 (u64 positions)")
        }
        var positions = [UInt64](repeating: 0, count: Int(file.size / 8))
        if !positions.isEmpty {
            try positions.withUnsafeMutableBytes { try file.read(into: $0, at: 0) }
        }
        for i in positions.indices.dropFirst() where positions[i] <= positions[i - 1] {
            throw ProteusError(.dataError, path: path, "position \(i) (\(positions[i])) is not above the one before it; positions must be sorted and distinct")
        }
        return positions
    }
}
