/// Fixed-stride storage of champions with their ±span neighbourhoods, captured while the
/// chunk is in memory so the corpus is never read twice.
///
/// Slot `s` holds a champion at `positions[s]` with score `scores[s]`; its window is
/// `width = 2 * span + 1` token ids and scores where index `span + j` is offset `j`, valid
/// for `-left[s] ... right[s]`.
final class HeroWindows {
    let span: Int
    let width: Int
    let capacity: Int
    private(set) var count = 0
    var positions: [UInt64]
    var scores: [Float]
    var left: [Int32]
    var right: [Int32]
    var windowTokens: [UInt32]
    var windowScores: [Float]

    init(capacity: Int, span: Int) {
        self.span = span
        self.width = 2 * span + 1
        self.capacity = capacity
        positions = [UInt64](repeating: 0, count: capacity)
        scores = [Float](repeating: 0, count: capacity)
        left = [Int32](repeating: 0, count: capacity)
        right = [Int32](repeating: 0, count: capacity)
        windowTokens = [UInt32](repeating: 0, count: capacity * width)
        windowScores = [Float](repeating: 0, count: capacity * width)
    }

    var isFull: Bool { count == capacity }

    /// Appends a champion with an empty window; fill it with `set(slot:offset:token:score:)`.
    func append(position: UInt64, score: Float) -> Int {
        precondition(count < capacity)
        let s = count
        count += 1
        positions[s] = position
        scores[s] = score
        left[s] = 0
        right[s] = 0
        return s
    }

    @inline(__always)
    func set(slot s: Int, offset j: Int, token: UInt32, score: Float) {
        windowTokens[s * width + span + j] = token
        windowScores[s * width + span + j] = score
    }

    @inline(__always)
    func token(slot s: Int, offset j: Int) -> UInt32 { windowTokens[s * width + span + j] }
    @inline(__always)
    func score(slot s: Int, offset j: Int) -> Float { windowScores[s * width + span + j] }

    /// Copies slot `s` of `other` to a new slot here.
    func append(copyOf s: Int, from other: HeroWindows) {
        let d = append(position: other.positions[s], score: other.scores[s])
        left[d] = other.left[s]
        right[d] = other.right[s]
        for k in 0..<width {
            windowTokens[d * width + k] = other.windowTokens[s * width + k]
            windowScores[d * width + k] = other.windowScores[s * width + k]
        }
    }

    func removeAll() { count = 0 }

    /// Slots ordered by score descending, then position ascending: the admission order.
    func ranked() -> [Int] {
        (0..<count).sorted { a, b in
            scores[a] > scores[b] || (scores[a] == scores[b] && positions[a] < positions[b])
        }
    }
}
