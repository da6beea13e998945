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
    // Raw storage: these are touched per champion in the sequential stage, where array
    // properties of a class would pay exclusivity checks on every access.
    let positions: UnsafeMutablePointer<UInt64>
    let scores: UnsafeMutablePointer<Float>
    let left: UnsafeMutablePointer<Int32>
    let right: UnsafeMutablePointer<Int32>
    let windowTokens: UnsafeMutablePointer<UInt32>
    let windowScores: UnsafeMutablePointer<Float>

    init(capacity: Int, span: Int) {
        self.span = span
        self.width = 2 * span + 1
        self.capacity = capacity
        positions = .allocate(capacity: capacity)
        scores = .allocate(capacity: capacity)
        left = .allocate(capacity: capacity)
        right = .allocate(capacity: capacity)
        windowTokens = .allocate(capacity: capacity * width)
        windowScores = .allocate(capacity: capacity * width)
    }

    deinit {
        positions.deallocate()
        scores.deallocate()
        left.deallocate()
        right.deallocate()
        windowTokens.deallocate()
        windowScores.deallocate()
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
    /// The tokens slot `s` captured, in place.
    func captured(slot s: Int) -> UnsafeBufferPointer<UInt32> {
        UnsafeBufferPointer(start: windowTokens + s * width + span - Int(left[s]), count: Int(left[s]) + Int(right[s]) + 1)
    }
    @inline(__always)
    func score(slot s: Int, offset j: Int) -> Float { windowScores[s * width + span + j] }

    /// Copies slot `s` of `other` to a new slot here.
    func append(copyOf s: Int, from other: HeroWindows) {
        let d = append(position: other.positions[s], score: other.scores[s])
        left[d] = other.left[s]
        right[d] = other.right[s]
        (windowTokens + d * width).update(from: other.windowTokens + s * width, count: width)
        (windowScores + d * width).update(from: other.windowScores + s * width, count: width)
    }

    func removeAll() { count = 0 }

    /// Slots in `RankOrder`: the admission order.
    func ranked() -> [Int] {
        (0..<count).sorted { a, b in
            RankOrder.before(score: scores[a], position: positions[a], score: scores[b], position: positions[b])
        }
    }
}
