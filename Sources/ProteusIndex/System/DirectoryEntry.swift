#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The name of an entry `readdir` returned, read where it lies. `entry.pointee.d_name` copies
/// the field's full 256 bytes, but the record is only as long as its name: at the end of
/// readdir's buffer the copy reads past it (the same overread crashed Foundation's
/// `Process.run` under AddressSanitizer, swift-corelibs-foundation #5472).
func directoryEntryName(_ entry: UnsafeMutablePointer<dirent>) -> String {
    let offset = MemoryLayout<dirent>.offset(of: \.d_name)!
    return String(cString: (UnsafeRawPointer(entry) + offset).assumingMemoryBound(to: CChar.self))
}
