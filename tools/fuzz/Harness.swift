// libFuzzer harness for proteus-index's parsers, compiled into the same module as the library
// sources by tools/fuzz.sh (so internal entry points are reachable). One binary serves every
// target; PROTEUS_FUZZ_TARGET picks it: tok, headers, phb, tiktoken, tensors, stdin.
// A thrown ProteusError is the expected outcome for bad input; a crash, an ASan report, a
// leak, a hang or an out-of-memory is a bug.
#if canImport(Glibc)
import Glibc
#endif

private enum Fuzz {
    static let target: String = getenv("PROTEUS_FUZZ_TARGET").map { String(cString: $0) } ?? "tok"
    /// Inputs go to files in a private folder: most readers take paths (they map or pread).
    static let folder: String = {
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

    @inline(never) static func blackHole(_ v: UInt32) { if v == 0xDEAD_BEEF { print("") } }

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
                let index = try HeroIndex(path: write(data, "f.phb"))
                _ = IndexDescription(index).text
                _ = try? index.verify()
                _ = try? index.contents()
                _ = try? index.documents()
                _ = try? index.spans()
                _ = try? index.dna()
            case "tiktoken":
                _ = try TiktokenFile.parse(data, path: "fuzz.tiktoken")
            case "tensors":
                _ = try? EmbeddingMatrix.load(path: write(data, "f.npy"))
                _ = try EmbeddingMatrix.load(path: write(data, "f.safetensors"))
            case "stdin":
                // First byte picks the format; the rest is the stream (detection on).
                guard let first = data.first else { return }
                let rest = UnsafeRawBufferPointer(rebasing: data[1...])
                let fd = open(write(rest, "stdin"), O_RDONLY)
                defer { close(fd) }
                let format: StdinTokenReader.Format = first % 3 == 0 ? .u32 : first % 3 == 1 ? .u16 : .text
                let reader = StdinTokenReader(descriptor: fd, format: format, name: "-", detectCompression: first & 4 == 0)
                var total = 0
                while total < 1 << 24 {
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
