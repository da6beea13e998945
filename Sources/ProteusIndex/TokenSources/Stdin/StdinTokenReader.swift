#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Token ids arriving on a file descriptor (stdin, "-"), in one of three encodings, with zstd
/// or lz4 compression detected by magic. Reads in bounded memory; `spool` turns the stream
/// into a random-access `TokFile`.
public final class StdinTokenReader {
    /// How ids are written in the (decompressed) stream.
    public enum Format: String, Sendable, CaseIterable {
        /// Little-endian u32 per token (the default).
        case u32
        /// Little-endian u16 per token.
        case u16
        /// Decimal ids separated by whitespace.
        case text
    }

    /// What messages call the stream ("-").
    public let name: String
    /// How ids are encoded in the stream.
    public let format: Format
    private let bytes: DecompressingByteStream
    /// Bytes of a token split across two reads (binary formats).
    private var carry: (UInt32, Int) = (0, 0)
    private let staging: UnsafeMutableRawBufferPointer
    private var stagingStart = 0, stagingEnd = 0
    /// Offset in the decoded stream of `staging[stagingStart]` (text: for error positions).
    private var streamOffset: UInt64 = 0
    private var atEnd = false
    // Text parser state, kept across buffer boundaries.
    private var value: UInt64 = 0
    private var inWord = false
    private var wordStart: UInt64 = 0
    private var badWord: [UInt8]? = nil

    /// Reads `descriptor` (0 = stdin; not closed here). zstd and lz4 streams are recognised by
    /// their magic unless `detectCompression` is false (see `DecompressingByteStream`).
    public init(descriptor: Int32 = 0, format: Format = .u32, name: String = "-", detectCompression: Bool = true) {
        self.name = name
        self.format = format
        self.bytes = DecompressingByteStream(detectCompression: detectCompression) { buffer in
            let n = SystemCall.retrying { Glibc.read(descriptor, buffer.baseAddress!, buffer.count) }
            if n < 0 { throw ProteusError.system("read failed", path: name, errno: errno) }
            return n
        }
        self.staging = .allocate(byteCount: 1 << 18, alignment: 64)
    }

    deinit { staging.deallocate() }

    /// Whether the stream turned out to be zstd, lz4 or uncompressed (known after the first read).
    public var compression: DecompressingByteStream.Kind { bytes.kind }

    /// The next decoded bytes of the stream; a codec failure is a data error of this stream.
    private func readBytes(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        do { return try bytes.read(into: buffer) } catch let e as CodecError {
            throw ProteusError(.dataError, path: name, e.message)
        }
    }

    /// The width tokens of this format need when stored.
    public var storedWidth: TokenWidth { format == .u16 ? .u16 : .u32 }

    /// Reads the next tokens into `buffer`; returns how many, 0 only at the end of the stream.
    public func read(into buffer: UnsafeMutableBufferPointer<UInt32>) throws -> Int {
        guard buffer.count > 0, !atEnd else { return 0 }
        switch format {
        case .u32: return try readBinary(into: buffer, width: 4)
        case .u16: return try readBinary(into: buffer, width: 2)
        case .text: return try readText(into: buffer)
        }
    }

    private func readBinary(into buffer: UnsafeMutableBufferPointer<UInt32>, width: Int) throws -> Int {
        while true {
            let (carried, carriedCount) = carry
            // u32 lands directly in the caller's buffer; u16 goes through staging and is widened.
            let target: UnsafeMutableRawBufferPointer = width == 4
                ? UnsafeMutableRawBufferPointer(buffer) : UnsafeMutableRawBufferPointer(rebasing: staging[0..<min(staging.count, buffer.count * 2)])
            withUnsafeBytes(of: carried) { target.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: carriedCount) }
            let n = try readBytes(into: UnsafeMutableRawBufferPointer(rebasing: target[carriedCount...]))
            let have = carriedCount + n
            if n == 0 {
                atEnd = true
                if carriedCount > 0 {
                    throw ProteusError(.dataError, path: name,
                                       "ends in the middle of a \(format) token (\(carriedCount) stray byte\(carriedCount == 1 ? "" : "s"))")
                }
                return 0
            }
            let count = have / width, rest = have % width
            var tail: UInt32 = 0
            withUnsafeMutableBytes(of: &tail) { $0.baseAddress!.copyMemory(from: target.baseAddress! + count * width, byteCount: rest) }
            carry = (tail, rest)
            if width == 2 {
                let src = target.baseAddress!.assumingMemoryBound(to: UInt16.self)
                for i in 0..<count { buffer[i] = UInt32(UInt16(littleEndian: src[i])) }
            }
            if count > 0 { return count }
        }
    }

    private func readText(into buffer: UnsafeMutableBufferPointer<UInt32>) throws -> Int {
        var produced = 0
        while produced < buffer.count {
            if stagingStart == stagingEnd {
                streamOffset += UInt64(stagingEnd)
                stagingStart = 0
                stagingEnd = try readBytes(into: staging)
                if stagingEnd == 0 {
                    atEnd = true
                    if inWord { try endWord(into: buffer, &produced) }
                    return produced
                }
            }
            let p = staging.baseAddress!.assumingMemoryBound(to: UInt8.self)
            while stagingStart < stagingEnd && produced < buffer.count {
                let c = p[stagingStart]
                if c == 0x20 || (c >= 0x09 && c <= 0x0D) {
                    if inWord { try endWord(into: buffer, &produced) }
                } else {
                    if !inWord { inWord = true; value = 0; wordStart = streamOffset + UInt64(stagingStart) }
                    let digit = c &- 0x30
                    if badWord != nil {
                        if badWord!.count < 64 { badWord!.append(c) }
                    } else if digit < 10 && value <= UInt64(UInt32.max) {
                        value = value * 10 + UInt64(digit)
                    }
                    if badWord == nil && (digit >= 10 || value > UInt64(UInt32.max)) {
                        // Keep the word as typed for the message (its part in this buffer).
                        let from = max(0, Int(wordStart) - Int(streamOffset))
                        badWord = (from > 0 || wordStart == streamOffset + UInt64(from) ? [] : Array("…".utf8))
                            + Array(UnsafeBufferPointer(start: p + from, count: min(stagingStart + 1 - from, 64)))
                    }
                    // The message shows at most 64 bytes of the word: once they are known, fail
                    // now rather than read the rest of a word that may be gigabytes long.
                    if let bad = badWord, bad.count >= 64 { try endWord(into: buffer, &produced) }
                }
                stagingStart += 1
            }
        }
        return produced
    }

    private func endWord(into buffer: UnsafeMutableBufferPointer<UInt32>, _ produced: inout Int) throws {
        inWord = false
        guard badWord == nil else {
            throw ProteusError(.dataError, path: name, "at byte \(wordStart): '\(String(decoding: badWord!, as: UTF8.self))' is not a token id")
        }
        buffer[produced] = UInt32(value)
        produced += 1
    }
}
