// libFuzzer harness for proteus-index's parsers, compiled into the same module as the library
// sources by tools/fuzz.sh (so internal entry points are reachable). One binary serves every
// target; PROTEUS_FUZZ_TARGET picks it: tok, headers, phb, tiktoken, tensors, stdin.
// A thrown ProteusError is the expected outcome for bad input; a crash, an ASan report, a
// leak, a hang or an out-of-memory is a bug.
//
// phb: the first byte of an input is a mode, the rest is the file. Mode bit 0 clear: the
// file is opened as it is (a mutation almost always stops at a checksum, which keeps the
// checksum refusals covered). Bit 0 set: "fix-up" mode, every section checksum and then the
// header checksum are recomputed and patched in before opening (bit 1 also sets the header's
// file size to the real size), so mutations reach the section parsers behind the checksums:
// META, spans, documents, DNA, the embedded tokenizer's rank table, and a query when
// `verify()` accepts the file.
// tensors: parsed from memory (EmbeddingMatrix.decode), no file. stdin: the stream goes
// through a pipe (what stdin is in practice), at most 1M tokens are drained.
#if canImport(Glibc)
import Glibc
#endif

private enum Fuzz {
    static let target: String = getenv("PROTEUS_FUZZ_TARGET").map { String(cString: $0) } ?? "tok"
    /// Inputs go to files in a private folder: most readers take paths (they map or pread).
    /// tools/fuzz.sh passes one in /dev/shm (tmpfs) and removes it afterwards (libFuzzer ends
    /// with `_Exit`, so the harness cannot clean up): rewriting a truncated file on a disk
    /// file system (ext4 flushes a file rewritten after truncation when it is closed) made
    /// the file targets wait on the disk, several times longer than their CPU time.
    static let folder: String = {
        if let given = getenv("PROTEUS_FUZZ_FOLDER") { return String(cString: given) }
        var template = Array("/tmp/proteus-fuzz-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }()
    static let window = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: 1 << 16)

    static func write(_ data: UnsafeRawBufferPointer, _ name: String) -> String {
        let path = folder + "/" + name
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var done = 0
        while done < data.count {
            let n = Glibc.write(fd, data.baseAddress! + done, data.count - done)
            if n <= 0 { break }
            done += n
        }
        close(fd)
        return path
    }

    /// Reads every token of `source` through one cursor, at most 4M tokens.
    static func drain(_ source: TokenSource) throws {
        let cursor = try source.makeCursor()
        var at: UInt64 = 0
        let end = min(source.tokenCount, 1 << 22)
        while at < end {
            let w = try cursor.read(start: at, count: 1 << 16)
            if w.isEmpty { break }
            var sum: UInt32 = 0
            for t in w { sum &+= t }
            blackHole(sum)
            at += UInt64(w.count)
        }
    }

    /// The read end of a pipe already holding `data` and closed for writing (so the reader
    /// sees the end of the stream), or nil when the pipe cannot take it all at once.
    static func pipeHolding(_ data: UnsafeRawBufferPointer) -> Int32? {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        // Non-blocking writes: an input larger than the pipe's buffer falls back to a file.
        _ = fcntl(ends[1], F_SETFL, O_NONBLOCK)
        var done = 0
        while done < data.count {
            let n = Glibc.write(ends[1], data.baseAddress! + done, data.count - done)
            if n <= 0 { break }
            done += n
        }
        close(ends[1])
        if done < data.count { close(ends[0]); return nil }
        return ends[0]
    }

    /// Recomputes every section checksum of a `.phb` image in the section table, then the
    /// header checksum over the header and table, as the writer does. The table is read
    /// defensively (counts and ranges clamped to the buffer): this runs on garbage.
    static func fixChecksums(_ b: UnsafeMutableRawBufferPointer, fixSize: Bool) {
        let n = b.count
        guard n >= IndexFormat.headerSize else { return }
        if fixSize { b.storeBytes(of: UInt64(n).littleEndian, toByteOffset: 24, as: UInt64.self) }
        let declared = Int(UInt32(littleEndian: b.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
        let tableOffset = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: 32, as: UInt64.self))
        guard tableOffset <= UInt64(n) else { return }
        let table = Int(tableOffset)
        let rows = min(declared, IndexFormat.maximumSections, (n - table) / IndexFormat.tableEntrySize)
        for i in 0..<rows {
            let row = table + i * IndexFormat.tableEntrySize
            let offset = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: row + 8, as: UInt64.self))
            let length = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: row + 16, as: UInt64.self))
            guard offset <= UInt64(n), length <= UInt64(n) - offset else { continue }
            let section = UnsafeRawBufferPointer(rebasing: b[Int(offset)..<Int(offset + length)])
            b.storeBytes(of: XXH64.hash(section).littleEndian, toByteOffset: row + 32, as: UInt64.self)
        }
        var hasher = XXH64()
        hasher.update(UnsafeRawBufferPointer(rebasing: b[0..<IndexFormat.checksummedHeaderBytes]))
        hasher.update(UnsafeRawBufferPointer(rebasing: b[table..<table + rows * IndexFormat.tableEntrySize]))
        b.storeBytes(of: hasher.digest().littleEndian, toByteOffset: IndexFormat.checksummedHeaderBytes, as: UInt64.self)
    }

    /// Everything a reader of an index does with it: describe, verify, copy, the views, the
    /// embedded tokenizer, and a query once `verify()` has accepted the file.
    static func openIndex(_ path: String) throws {
        let index = try HeroIndex(path: path)
        _ = IndexDescription(index).text
        let verified = (try? index.verify()) != nil
        _ = try? index.contents()
        if let docs = try? index.documents(), docs.count > 0 {
            _ = docs.name(docs.count - 1)
            _ = docs.document(containing: docs.starts[docs.count / 2])
        }
        _ = try? index.spans()
        _ = try? index.dna()
        if !index.embeddedRanks.isEmpty, let ranks = try? RankTable(serialized: index.embeddedRanks, owner: index, path: path) {
            // Lookups stay inside the blob even when it is corrupt (a wrong answer is fine).
            for rank in 0..<UInt32(min(ranks.count, 1024)) {
                if let token = ranks.bytes(ofRank: rank) { _ = ranks.rank(of: token) }
            }
        }
        if let tier = try? index.routing() {
            // Window lists decode inside their section even when it is corrupt.
            try? tier.forEachEntry { e in try tier.forEachWindow(of: e) { blackHole(UInt32(truncatingIfNeeded: $0)) } }
            _ = tier.entry(of: 42)
            // Pair filters are read inside their section once their offsets are accepted.
            if let filters = tier.pairFilters {
                for w in 0..<tier.shape.windowCount { _ = JoinedPairs.mayContain(UInt64(w) &* 0x9E3779B97F4A7C15, in: filters.filter(w)) }
            }
        }
        guard verified, let engine = try? QueryEngine(path: path),
              let teleporter = try? Teleporter(engine: engine, corpus: nil) else { return }
        let tokens = (try? engine.tokenize("the quick brown fox 42")) ?? Array(index.tokens.prefix(8))
        _ = try? teleporter.answer(tokens: tokens, top: 3, maxWindows: 8)
    }

    /// Keeps the optimiser from dropping the reads (the sum goes to memory nobody reads; it
    /// used to print an empty line on one sum in 2^32, which fuzzing found often enough).
    nonisolated(unsafe) static var sink: UInt32 = 0
    @inline(never) static func blackHole(_ v: UInt32) { sink &+= v }

    static func run(_ data: UnsafeRawBufferPointer) {
        do {
            switch target {
            case "tok":
                try drain(TokFile(path: write(data, "f.tok")))
            case "headers":
                // The same bytes as an llm.c shard, a Megatron index (over a fixed .bin), raw.
                let bin = write(data, "s.bin")
                _ = try? drain(LLMCShard(path: bin))
                _ = write(UnsafeRawBufferPointer(start: UnsafeRawPointer(window.baseAddress!), count: 4096), "m.bin")
                _ = write(data, "m.idx")
                _ = try? drain(MegatronDataset(path: folder + "/m"))
                try drain(RawTokenFile(path: bin, width: data.first.map { $0 & 1 == 0 ? .u16 : .u32 }))
            case "phb":
                guard let mode = data.first else { return }
                let file = UnsafeRawBufferPointer(rebasing: data[1...])
                let path: String
                if mode & 1 == 1 {
                    var bytes = Array(file)
                    bytes.withUnsafeMutableBytes { fixChecksums($0, fixSize: mode & 2 == 2) }
                    path = bytes.withUnsafeBytes { write($0, "f.phb") }
                } else {
                    path = write(file, "f.phb")
                }
                try openIndex(path)
            case "tiktoken":
                _ = try TiktokenFile.parse(data, path: "fuzz.tiktoken")
            case "tensors":
                // Format is sniffed from the bytes; the second call covers picking a tensor by name.
                _ = try? EmbeddingMatrix.decode(data, path: "f", tensorName: nil)
                _ = try EmbeddingMatrix.decode(data, path: "f", tensorName: "emb")
            case "stdin":
                // First byte picks the format; the rest is the stream (detection on).
                guard let first = data.first else { return }
                let rest = UnsafeRawBufferPointer(rebasing: data[1...])
                let fd = pipeHolding(rest) ?? open(write(rest, "stdin"), O_RDONLY)
                defer { close(fd) }
                let format: StdinTokenReader.Format = first % 3 == 0 ? .u32 : first % 3 == 1 ? .u16 : .text
                let reader = StdinTokenReader(descriptor: fd, format: format, name: "-", detectCompression: first & 4 == 0)
                // 64K tokens (256 KiB of u32, more as text): a bomb still fills the caller's
                // window and the reader's 256 KiB staging, without one input costing
                // milliseconds. With a 1M cap the corpus filled with zstd inputs that decode
                // that far into fresh pages (8 ms each): 856 exec/s over 10 minutes.
                var total = 0
                while total < 1 << 16 {
                    let n = try reader.read(into: window)
                    if n == 0 { break }
                    total += n
                }
            default:
                fatalError("unknown PROTEUS_FUZZ_TARGET \(target)")
            }
        } catch is ProteusError {
        } catch {
            fatalError("non-ProteusError thrown: \(error)")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    Fuzz.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
