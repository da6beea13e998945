/// Where the question's anchors and the terms the skip bound tracks stand in a run of tokens:
/// the first pass of the exact pass over a window (on a read-ahead thread when routing), each
/// token tested against bitmaps that stay in L1 (12.5 KB for cl100k) before its code (200 KB)
/// is read.
extension PassageScorer {
    /// Where the question's terms stand in a buffer: every position holding one the skip bound
    /// of `scan` tracks (`trackedBits`), with its lookup code, and those holding an anchor.
    struct TermPositions {
        var anchors: [Int] = []
        var terms: [(position: Int, code: UInt16)] = []
    }

    /// The term positions of `buffer`, in one pass (a window's, read ahead on another thread).
    func termPositions(_ buffer: UnsafeBufferPointer<UInt32>) -> TermPositions {
        var found = TermPositions()
        found.terms.reserveCapacity(buffer.count / 8)
        trackedBits.withUnsafeBufferPointer { bits in
            let limit = UInt32(bits.count * 64)
            anchorBits.withUnsafeBufferPointer { anchor in
                for (i, id) in buffer.enumerated() where id < limit && bits[Int(id >> 6)] & (1 << UInt64(id & 63)) != 0 {
                    found.terms.append((i, lookup.code(of: id)))
                    if anchor[Int(id >> 6)] & (1 << UInt64(id & 63)) != 0, case let s = slot(at: i, in: buffer), s >= 0, question.anchors[s] {
                        found.anchors.append(i)
                    }
                }
            }
        }
        return found
    }

    /// Positions of `buffer` in `range` holding an anchor token.
    func anchorPositions(_ buffer: UnsafeBufferPointer<UInt32>, in range: Range<Int>) -> [Int] {
        var found: [Int] = []
        let limit = UInt32(anchorBits.count * 64)
        anchorBits.withUnsafeBufferPointer { bits in
            for i in range {
                let id = buffer[i]
                // (A form-only id may credit a slot that anchors nothing where it stands.)
                if id < limit && bits[Int(id >> 6)] & (1 << UInt64(id & 63)) != 0, case let s = slot(at: i, in: buffer), s >= 0, question.anchors[s] {
                    found.append(i)
                }
            }
        }
        return found
    }
}
