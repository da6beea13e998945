#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Zeroed anonymous memory that starts its life cheaply. A block of 2 MiB or more is mapped
/// on a 2 MiB boundary and offered to the kernel for transparent huge pages: a few faults
/// instead of one per 4 KiB page (a 5 MB block took about 1,300), where THP is on; plain
/// anonymous memory where it is off. Smaller blocks come from calloc.
final class ZeroedMemory {
    static let hugePage = 2 << 20

    let bytes: UnsafeMutableRawBufferPointer
    /// Length of the mapping, 0 when the memory came from calloc.
    private let mappedLength: Int

    /// At least `byteCount` zeroed bytes, 16-byte aligned.
    init(byteCount: Int) {
        let size = max(byteCount, 16)
        let huge = Self.hugePage
        var mapped = 0
        var start: UnsafeMutableRawPointer?
        if size >= huge {
            let length = (size + huge - 1) / huge * huge
            // One huge page more than needed, then the unaligned head and tail returned.
            if let raw = mmap(nil, length + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), raw != MAP_FAILED {
                let address = Int(bitPattern: raw)
                let aligned = (address + huge - 1) & ~(huge - 1)
                if aligned > address { munmap(raw, aligned - address) }
                let tail = address + length + huge - (aligned + length)
                if tail > 0 { munmap(UnsafeMutableRawPointer(bitPattern: aligned + length), tail) }
                start = UnsafeMutableRawPointer(bitPattern: aligned)
                #if os(Linux)
                _ = madvise(start, length, Int32(MADV_HUGEPAGE))
                #endif
                mapped = length
            }
        }
        if start == nil {
            guard let raw = calloc(size, 1), Int(bitPattern: raw) & 15 == 0 else { fatalError("out of memory allocating \(size) bytes") }
            start = raw
        }
        mappedLength = mapped
        bytes = UnsafeMutableRawBufferPointer(start: start, count: size)
    }

    deinit {
        if mappedLength > 0 { munmap(bytes.baseAddress, mappedLength) } else { free(bytes.baseAddress) }
    }
}
