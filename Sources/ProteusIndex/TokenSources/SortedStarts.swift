/// The index of the last of the first `count` entries of `starts` (sorted ascending) that is
/// at or before `position`; 0 when none is. Documents, concatenated sources and file segments
/// all locate a position this way.
@inline(__always)
func lastStart(atOrBefore position: UInt64, in starts: [UInt64], count: Int) -> Int {
    var lo = 0, hi = count - 1
    while lo < hi {
        let mid = (lo + hi + 1) / 2
        if starts[mid] <= position { lo = mid } else { hi = mid - 1 }
    }
    return lo
}
