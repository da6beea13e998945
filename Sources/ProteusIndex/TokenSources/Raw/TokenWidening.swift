/// How token ids are laid out on disk, before they are widened to the `UInt32` every
/// cursor hands out. Megatron's `int32` is stored as `.u32` (same bits; a negative id
/// reads as a huge one and is caught by `TokenValidation`).
enum StoredElement: Int, Sendable {
    case u8 = 1
    case u16 = 2
    case u32 = 4

    var byteCount: Int { rawValue }

    /// The width reported by `TokenSource.storedWidth` (bytes narrower than 16 bits count as u16).
    var tokenWidth: TokenWidth { self == .u32 ? .u32 : .u16 }
}

/// Widening loops, kept free of bounds checks and ARC so LLVM turns them into
/// `vpmovzxwd`/`vpmovzxbd` runs (checked in the release build's disassembly).
enum TokenWidening {
    /// Converts `count` elements at `source` (any alignment) into `destination`.
    /// `scratch` must hold `count * element.byteCount` bytes, 4-byte aligned; it is used
    /// only when `source` is not aligned for its element type.
    @inline(__always)
    static func widen(_ element: StoredElement, from source: UnsafeRawPointer, count: Int,
                      into destination: UnsafeMutablePointer<UInt32>, scratch: UnsafeMutableRawPointer) {
        guard count > 0 else { return }
        switch element {
        case .u32:
            // memcpy has no alignment requirement and is already as fast as a copy gets.
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
        case .u8:
            widenU8(source.assumingMemoryBound(to: UInt8.self), count: count, into: destination)
        case .u16:
            var aligned = source
            if Int(bitPattern: source) & 1 != 0 {
                // Megatron pointers are byte offsets and need not be even: copy first.
                scratch.copyMemory(from: source, byteCount: count * 2)
                aligned = UnsafeRawPointer(scratch)
            }
            widenU16(aligned.assumingMemoryBound(to: UInt16.self), count: count, into: destination)
        }
    }

    @inline(never)
    static func widenU16(_ source: UnsafePointer<UInt16>, count: Int, into destination: UnsafeMutablePointer<UInt32>) {
        for i in 0..<count { destination[i] = UInt32(truncatingIfNeeded: source[i]) }
    }

    @inline(never)
    static func widenU8(_ source: UnsafePointer<UInt8>, count: Int, into destination: UnsafeMutablePointer<UInt32>) {
        for i in 0..<count { destination[i] = UInt32(truncatingIfNeeded: source[i]) }
    }
}
