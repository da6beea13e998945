/// How the exported pack numbers its tokens' RoPE positions.
public enum PositionMode: Equatable, CustomStringConvertible {
    /// Each hero keeps its exact position in the document; the question follows the last
    /// document token ("teleportation").
    case original
    /// Renumbered 0..<n, heroes then question (what kvpress's key re-rotation does).
    case contiguous
    /// Original positions linearly interpolated into 0..<max, order preserved (position
    /// interpolation, for models whose window is shorter than the document).
    case scaled(max: Int)

    /// Parses `original`, `contiguous` or `scaled:MAX`.
    public init(parsing text: String) throws {
        switch text {
        case "original": self = .original
        case "contiguous": self = .contiguous
        default:
            if text.hasPrefix("scaled:"), let m = Int(text.dropFirst(7)), m > 0 {
                self = .scaled(max: m)
            } else {
                throw ProteusError(.usage, "'--positions' must be original, contiguous or scaled:MAX (MAX > 0), not '\(text)'")
            }
        }
    }

    public var description: String {
        switch self {
        case .original: return "original"
        case .contiguous: return "contiguous"
        case .scaled(let m): return "scaled:\(m)"
        }
    }
}

/// The context a downstream model should see: selected heroes in position order, then the
/// question, with the position ids the chosen mode gives them.
public struct ContextPack: Equatable {
    public var inputIDs: [UInt32] = []
    public var positionIDs: [Int64] = []
    /// Document of each token; the question's tokens get -1.
    public var documentIDs: [Int64] = []
    /// DNA score of each hero token; the question's tokens get 0.
    public var scores: [Float] = []
    /// Number of leading tokens that are heroes (the rest is the question).
    public var heroTokenCount: Int = 0

    public init() {}

    /// Builds a pack from pieces ranked best-first (answers, then hero spans), keeping the
    /// best pieces that fit in `maxTokens` tokens and do not overlap a better one, laid out in
    /// position order.
    /// - Parameter corpusTokens: tokens in the indexed corpus; the question starts there.
    public init(ranked: [PackPiece], question: [UInt32], corpusTokens: UInt64,
                maxTokens: Int, positions: PositionMode) throws {
        var chosen: [PackPiece] = []
        var used = 0
        for piece in ranked where used + piece.tokens.count <= maxTokens
            && !chosen.contains(where: { $0.start < piece.end && piece.start < $0.end }) {
            chosen.append(piece)
            used += piece.tokens.count
        }
        chosen.sort { $0.start < $1.start }
        var original: [UInt64] = []
        for piece in chosen {
            for (k, id) in piece.tokens.enumerated() {
                inputIDs.append(id)
                scores.append(piece.scores[k])
                documentIDs.append(Int64(piece.document))
                original.append(piece.start + UInt64(k))
            }
        }
        heroTokenCount = inputIDs.count
        for (k, id) in question.enumerated() {
            inputIDs.append(id)
            scores.append(0)
            documentIDs.append(-1)
            original.append(corpusTokens + UInt64(k))
        }
        switch positions {
        case .original:
            positionIDs = original.map { Int64($0) }
        case .contiguous:
            positionIDs = (0..<original.count).map { Int64($0) }
        case .scaled(let max):
            guard max >= original.count else {
                throw ProteusError(.usage, "'--positions scaled:\(max)' cannot hold \(original.count) tokens; raise MAX or lower '--max-tokens'")
            }
            // Linear map of [0, corpus + question) onto [0, max); then nudge to keep strictly
            // increasing integers, never past max - (tokens still to place).
            let span = Double(corpusTokens) + Double(question.count)
            let factor = Double(max) / span
            var previous: Int64 = -1
            for (k, p) in original.enumerated() {
                var v = Int64((Double(p) * factor).rounded(.down))
                v = Swift.max(v, previous + 1)
                v = Swift.min(v, Int64(max - (original.count - k)))
                positionIDs.append(v)
                previous = v
            }
        }
    }
}

/// A run of tokens at its original positions, for the pack: an answer's passage or a hero span.
public struct PackPiece: Equatable {
    public var start: UInt64
    public var tokens: [UInt32]
    /// Per-token DNA score (hero spans) or 0 (passages read from the corpus).
    public var scores: [Float]
    public var document: Int

    public init(start: UInt64, tokens: [UInt32], scores: [Float], document: Int) {
        self.start = start
        self.tokens = tokens
        self.scores = scores
        self.document = document
    }

    public var end: UInt64 { start + UInt64(tokens.count) }
}
