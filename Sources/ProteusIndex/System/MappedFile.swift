#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole regular file.
///
/// Mapping is the fast path for reading token files; callers must be able to fall back to
/// `SystemFile.read(into:at:)` when `map` throws (some filesystems refuse `mmap`).
/// Pages that have been consumed are handed back with `release(_:)` so that resident memory
/// stays bounded however large the file is.
public final class MappedFile: @unchecked Sendable {
    public let file: SystemFile
    public let bytes: UnsafeRawBufferPointer

    /// Maps all of `file`. Empty files cannot be mapped and are refused here.
    public init(_ file: SystemFile) throws {
        self.file = file
        guard file.size > 0 else {
            throw ProteusError(.dataError, path: file.path, "file is empty")
        }
        guard let base = mmap(nil, Int(file.size), PROT_READ, MAP_PRIVATE, file.descriptor, 0),
              base != MAP_FAILED else {
            throw ProteusError.system("cannot map", path: file.path, errno: errno)
        }
        self.bytes = UnsafeRawBufferPointer(start: base, count: Int(file.size))
        MappedFile.live.insert(file.path, base: UInt(bitPattern: base), length: UInt(bytes.count), tag: Int(file.descriptor))
    }

    deinit {
        MappedFile.live.remove(file.path, base: UInt(bitPattern: bytes.baseAddress!))
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress!), bytes.count)
    }

    /// Every mapping alive in this process, with its path and descriptor, so that the SIGBUS
    /// handler (`ProcessSignals`) can name the file that shrank under a mapped read.
    static let live = SignalSafeTable()

    public enum Advice {
        case sequential, willNeed, dontNeed

        var value: Int32 {
            switch self {
            case .sequential: return MADV_SEQUENTIAL
            case .willNeed: return MADV_WILLNEED
            case .dontNeed: return MADV_DONTNEED
            }
        }
    }

    /// Advises the kernel about a byte range. Failure is not an error: advice is a hint.
    public func advise(_ advice: Advice, range: Range<Int>? = nil) {
        let r = range ?? 0..<bytes.count
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        // madvise needs a page-aligned start. Releasing rounds the start down: the page that
        // straddles the previous release would otherwise never be released (one page per
        // window, 128 MiB over an 8 GiB file). Dropping a read-only private page is always
        // safe: a later touch reads it back from the page cache. The end rounds down so a
        // page still being read is kept.
        let start = r.lowerBound / page * page
        let end = advice == .dontNeed ? r.upperBound / page * page : r.upperBound
        guard end > start else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: bytes.baseAddress! + start), end - start, advice.value)
    }

    /// Throws when the file is now shorter than the mapping. Touching a mapped page past the
    /// new end of file raises SIGBUS, which Swift cannot turn into an error (no siglongjmp
    /// out of a handler through Swift frames), so readers call this before every window and
    /// a corpus truncated between windows becomes an ordinary error. A truncation after this
    /// check, while the window's pages are being read, raises SIGBUS: the command-line tool
    /// installs `ProcessSignals`, whose handler prints the same one-line message for the
    /// mapped file that contains the faulting address, removes temporary outputs and exits
    /// with the data-error status, so either way the user sees the same clear error.
    public func checkNotTruncated() throws {
        var st = stat()
        guard fstat(file.descriptor, &st) == 0, UInt64(st.st_size) < UInt64(bytes.count) else { return }
        throw ProteusError(.dataError, path: file.path,
                           "file shrank from \(bytes.count) to \(st.st_size) bytes while being read")
    }

    /// Drops the pages of `range` from this process's resident set; they stay in the page
    /// cache and are read again (not re-fetched from disk) if touched later.
    public func release(_ range: Range<Int>) { advise(.dontNeed, range: range) }
}
