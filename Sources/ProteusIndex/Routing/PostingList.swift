/// One token id's window list in the routing tier: the sorted windows that hold the id,
/// stored as whichever of two exact encodings is smaller for its count `n` out of `W`
/// windows (Roaring's choice between array and bitmap containers):
/// - Elias–Fano: `n` low parts of `L = ⌊log₂(W/n)⌋` bits, then the high parts in unary
///   (`n + (W >> L) + 1` bits); about `2 + log₂(W/n)` bits per window, best when the id is rare;
/// - a bitmap of `W` bits, best once the id is in more than about a quarter of the windows.
/// The encoding and its size follow from `(n, W)` alone, so the directory stores no sizes.
enum PostingList {
    enum Encoding: Equatable { case eliasFano(lowBits: Int), bitmap }

    static func encoding(count n: Int, windows: Int) -> Encoding {
        let ef = eliasFanoBytes(count: n, windows: windows)
        return ef <= bitmapBytes(windows: windows) ? .eliasFano(lowBits: lowBits(count: n, windows: windows)) : .bitmap
    }

    /// Bytes of the list of `n` windows out of `windows`.
    @inline(__always)
    static func byteCount(count n: Int, windows: Int) -> Int {
        guard n > 0 else { return 0 }
        return min(eliasFanoBytes(count: n, windows: windows), bitmapBytes(windows: windows))
    }

    /// floor(log2(windows / n)), found without dividing: the largest l with n << l <= windows.
    /// (Opening a tier sizes every id's list; a division each was most of that walk.)
    @inline(__always)
    static func lowBits(count n: Int, windows: Int) -> Int {
        guard n > 0, windows > n else { return 0 }
        let l = n.leadingZeroBitCount - windows.leadingZeroBitCount
        return n << l <= windows ? l : l - 1
    }

    @inline(__always)
    private static func eliasFanoBytes(count n: Int, windows: Int) -> Int {
        let l = lowBits(count: n, windows: windows)
        return (n * l + 7) / 8 + (n + (windows >> l) + 1 + 7) / 8
    }

    private static func bitmapBytes(windows: Int) -> Int { (windows + 7) / 8 }

    /// Appends the encoding of `list` (sorted, distinct, each below `windows`) to `out`. Generic
    /// over the width of the window numbers, so the build's u16 lists are encoded where they lie.
    static func encode<Number: FixedWidthInteger & UnsignedInteger>(_ list: UnsafeBufferPointer<Number>, windows: Int,
                                                                      into out: inout [UInt8]) {
        let n = list.count
        guard n > 0 else { return }
        let base = out.count
        out.append(contentsOf: repeatElement(0, count: byteCount(count: n, windows: windows)))
        out.withUnsafeMutableBufferPointer { all in
            let bytes = UnsafeMutableBufferPointer(rebasing: all[base...])
            switch encoding(count: n, windows: windows) {
            case .bitmap:
                for w in list { bytes[Int(w) >> 3] |= 1 << (UInt8(truncatingIfNeeded: w) & 7) }
            case .eliasFano(let l):
                let lowBytes = (n * l + 7) / 8
                let mask = UInt64((1 << l) - 1)
                for i in 0..<n {
                    let w = UInt64(list[i])
                    if l > 0 { setBits(bytes, at: i * l, width: l, value: w & mask) }
                    let bit = lowBytes * 8 + Int(w >> UInt64(l)) + i
                    bytes[bit >> 3] |= 1 << UInt8(bit & 7)
                }
            }
        }
    }

    /// ORs the `width` (at most 56) low bits of `value` into `bytes` from bit `bit` on: one
    /// unaligned 64-bit OR where 8 bytes remain, else byte by byte.
    @inline(__always)
    private static func setBits(_ bytes: UnsafeMutableBufferPointer<UInt8>, at bit: Int, width: Int, value: UInt64) {
        var i = bit >> 3
        var v = value << UInt64(bit & 7)
        if i + 8 <= bytes.count {
            let p = UnsafeMutableRawPointer(bytes.baseAddress! + i)
            p.storeBytes(of: (p.loadUnaligned(as: UInt64.self) | v.littleEndian), as: UInt64.self)
            return
        }
        var remaining = width + (bit & 7)
        while remaining > 0 {
            bytes[i] |= UInt8(truncatingIfNeeded: v)
            v >>= 8
            i += 1
            remaining -= 8
        }
    }

    /// Calls `body` with each window of the list in `bytes` (exactly `byteCount` bytes), in
    /// increasing order. Returns false, having stopped, when the bytes do not hold a valid
    /// list of `n` distinct increasing windows below `windows` (a corrupt section): a bad list
    /// can never make the decoder read outside `bytes` or report a window past the end.
    @discardableResult
    static func forEach(_ bytes: UnsafeRawBufferPointer, count n: Int, windows: Int, _ body: (Int) -> Void) -> Bool {
        guard n > 0 else { return true }
        guard n <= windows, bytes.count == byteCount(count: n, windows: windows) else { return false }
        switch encoding(count: n, windows: windows) {
        case .bitmap:
            var found = 0
            for (i, byte) in bytes.enumerated() where byte != 0 {
                var b = byte
                while b != 0 {
                    let w = i * 8 + b.trailingZeroBitCount
                    guard w < windows, found < n else { return false }
                    body(w)
                    found += 1
                    b &= b - 1
                }
            }
            return found == n
        case .eliasFano(let l):
            let lowBytes = (n * l + 7) / 8
            var i = 0, previous = -1
            for byteIndex in lowBytes..<bytes.count where bytes[byteIndex] != 0 {
                var b = bytes[byteIndex]
                while b != 0 {
                    guard i < n else { return false }
                    let bit = (byteIndex - lowBytes) * 8 + b.trailingZeroBitCount
                    let w = ((bit - i) << l) | Int(lowPart(bytes, index: i, width: l))
                    guard w > previous, w < windows else { return false }
                    body(w)
                    previous = w
                    i += 1
                    b &= b - 1
                }
            }
            return i == n
        }
    }

    private static func lowPart(_ bytes: UnsafeRawBufferPointer, index i: Int, width: Int) -> UInt32 {
        guard width > 0 else { return 0 }
        let bit = i * width
        var v: UInt64 = 0
        var shift: UInt64 = 0
        var byte = bit >> 3
        while shift < UInt64(width + (bit & 7)) {
            v |= UInt64(bytes[byte]) << shift
            shift += 8
            byte += 1
        }
        return UInt32(truncatingIfNeeded: (v >> UInt64(bit & 7)) & ((1 << UInt64(width)) - 1))
    }
}
