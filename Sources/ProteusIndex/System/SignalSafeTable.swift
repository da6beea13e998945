#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A table of paths, each with an optional address range, that a signal handler may read
/// while other threads add and remove entries.
///
/// A handler may only touch memory that never moves or disappears, so the table is a chain
/// of fixed-size blocks that are allocated once and never freed: it grows by linking a new
/// block (there is no capacity limit), and a removed entry just frees its slot. A slot is
/// published by writing the first byte of its path last, and retired by clearing that byte.
/// Writers take a mutex; the handler takes nothing (it may interrupt a writer, and then at
/// worst misses the entry being written).
final class SignalSafeTable: @unchecked Sendable {
    /// One slot: base address, byte length, a tag (a descriptor), then the NUL-terminated path.
    private static let slotSize = 4096
    private static let pathOffset = 24
    private static let pathCapacity = slotSize - pathOffset
    private static let slotsPerBlock = 64
    /// A block: the pointer to the next block, padding, then the slots.
    private static let blockHeader = 64
    private static let blockSize = blockHeader + slotsPerBlock * slotSize

    private let first: UnsafeMutableRawPointer?
    private let lock = Monitor()

    init() {
        first = SignalSafeTable.allocateBlock()
    }

    /// Anonymous pages read as zeros (every slot free) and only become resident when a slot
    /// is written, so an unused 256 KiB block costs nothing.
    /// When even that fails (out of memory) entries are simply not recorded: the table is a
    /// best effort for dying processes, never a reason to fail a run.
    private static func allocateBlock() -> UnsafeMutableRawPointer? {
        guard let block = mmap(nil, blockSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              block != MAP_FAILED else { return nil }
        return block
    }

    private static func next(_ block: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        block.load(as: UnsafeMutableRawPointer?.self)
    }

    private static func slot(_ block: UnsafeMutableRawPointer, _ i: Int) -> UnsafeMutableRawPointer {
        block + blockHeader + i * slotSize
    }

    /// Adds `path` with the address range `base..<base+length` (0, 0 when there is none) and
    /// a `tag` for the handler's use. Paths longer than 4 KiB are not recorded (no real path is).
    func insert(_ path: String, base: UInt = 0, length: UInt = 0, tag: Int = 0) {
        let bytes = Array(path.utf8CString)
        guard bytes.count > 1, bytes.count <= SignalSafeTable.pathCapacity else { return }
        lock.lock(); defer { lock.unlock() }
        guard var block = first else { return }
        while true {
            for i in 0..<SignalSafeTable.slotsPerBlock {
                let s = SignalSafeTable.slot(block, i)
                let at = SignalSafeTable.pathOffset
                guard s.load(fromByteOffset: at, as: UInt8.self) == 0 else { continue }
                s.storeBytes(of: base, as: UInt.self)
                s.storeBytes(of: length, toByteOffset: 8, as: UInt.self)
                s.storeBytes(of: tag, toByteOffset: 16, as: Int.self)
                bytes.withUnsafeBytes { src in
                    (s + at + 1).copyMemory(from: src.baseAddress! + 1, byteCount: src.count - 1)
                }
                s.storeBytes(of: UInt8(bitPattern: bytes[0]), toByteOffset: at, as: UInt8.self) // publish last
                return
            }
            if let following = SignalSafeTable.next(block) {
                block = following
            } else {
                guard let fresh = SignalSafeTable.allocateBlock() else { return }
                block.storeBytes(of: fresh, as: UnsafeMutableRawPointer?.self)
                block = fresh
            }
        }
    }

    /// Removes every entry whose path is `path` (and, when given, whose base is `base`).
    func remove(_ path: String, base: UInt? = nil) {
        lock.lock(); defer { lock.unlock() }
        forEach { slotBase, _, _, slotPath in
            if base == nil || base == slotBase, String(cString: slotPath) == path {
                UnsafeMutablePointer(mutating: slotPath).pointee = 0
            }
        }
    }

    /// Frees every slot without taking the lock: only for a forked child, which has one
    /// thread and may have inherited the lock held.
    func clearInForkedChild() {
        var block = first
        while let b = block {
            for i in 0..<SignalSafeTable.slotsPerBlock {
                SignalSafeTable.slot(b, i).storeBytes(of: 0, toByteOffset: SignalSafeTable.pathOffset, as: UInt8.self)
            }
            block = SignalSafeTable.next(b)
        }
    }

    /// The slot of the entry whose address range holds `address`, nil when none does.
    /// Async-signal-safe: no closure, no allocation; read it with `base(of:)` and friends.
    func slot(containing address: UInt) -> UnsafeMutableRawPointer? {
        var block = first
        while let b = block {
            for i in 0..<SignalSafeTable.slotsPerBlock {
                let s = SignalSafeTable.slot(b, i)
                if s.load(fromByteOffset: SignalSafeTable.pathOffset, as: UInt8.self) != 0 {
                    let base = s.load(as: UInt.self), length = s.load(fromByteOffset: 8, as: UInt.self)
                    if address >= base && address - base < length { return s }
                }
            }
            block = SignalSafeTable.next(b)
        }
        return nil
    }

    /// Blocks in the chain (each holds 64 slots); only grows.
    var blockCount: Int {
        lock.lock(); defer { lock.unlock() }
        var count = 0
        var block = first
        while let b = block { count += 1; block = SignalSafeTable.next(b) }
        return count
    }

    static func base(of slot: UnsafeMutableRawPointer) -> UInt { slot.load(as: UInt.self) }
    static func length(of slot: UnsafeMutableRawPointer) -> UInt { slot.load(fromByteOffset: 8, as: UInt.self) }
    static func tag(of slot: UnsafeMutableRawPointer) -> Int { slot.load(fromByteOffset: 16, as: Int.self) }
    static func path(of slot: UnsafeMutableRawPointer) -> UnsafePointer<CChar> {
        UnsafePointer((slot + pathOffset).assumingMemoryBound(to: CChar.self))
    }

    /// Calls `body` with each entry's base, length, tag and C-string path. Async-signal-safe
    /// as long as `body` is: it only reads memory that never moves.
    func forEach(_ body: (_ base: UInt, _ length: UInt, _ tag: Int, _ path: UnsafePointer<CChar>) -> Void) {
        var block = first
        while let b = block {
            for i in 0..<SignalSafeTable.slotsPerBlock {
                let s = SignalSafeTable.slot(b, i)
                let path = (s + SignalSafeTable.pathOffset).assumingMemoryBound(to: CChar.self)
                if path.pointee != 0 {
                    body(s.load(as: UInt.self), s.load(fromByteOffset: 8, as: UInt.self),
                         s.load(fromByteOffset: 16, as: Int.self), UnsafePointer(path))
                }
            }
            block = SignalSafeTable.next(b)
        }
    }
}
