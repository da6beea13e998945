import Dispatch

/// `finish`'s second half: the spilled windows inverted into the tier's per-id window lists.
extension WindowPostingsBuilder {
    /// Writes every list, in directory order, reading the spill once per pass. Window numbers
    /// are held as u16 while they fit (up to 65,536 windows: a billion tokens at the default
    /// window), so a pass takes twice the lists in the same memory and half the passes read
    /// the spill.
    func invert(_ tier: RoutingTierContents) throws -> SectionBlob {
        narrowNumbers && windowCount <= Int(UInt16.max) + 1
            ? try invert(tier, as: UInt16.self, budget: 2 * passBudget)
            : try invert(tier, as: UInt32.self, budget: passBudget)
    }

    private func invert<Number: FixedWidthInteger & UnsignedInteger>(
        _ tier: RoutingTierContents, as: Number.Type, budget: Int
    ) throws -> SectionBlob {
        let out = try UnlinkedTemporaryFile(folder: folder, name: name, holding: "the routing tier's postings")
        let windows = adopted.isEmpty ? try SectionBlob(file: spill) : SectionBlob(concatenating: adopted)
        let workers = max(1, threads)
        // Per worker: where the next window of each id of its share of the pass goes (-1 for
        // other ids), and its share's encoded lists.
        let cursors = (0..<workers).map { _ in
            let c = UnsafeMutablePointer<Int32>.allocate(capacity: windowsPerID.count)
            c.initialize(repeating: -1, count: windowsPerID.count)
            return c
        }
        defer { for c in cursors { c.deallocate() } }
        var encoded = [[UInt8]](repeating: [], count: workers)
        var failures = [Error?](repeating: nil, count: workers)
        // The passes: consecutive ids whose lists fit the budget together.
        var passes: [(ids: Range<Int>, total: Int)] = []
        var first = 0
        while first < tier.ids.count {
            var last = first, total = 0
            while last < tier.ids.count {
                let n = tier.hasList(last) ? Int(tier.windowCounts[last]) : 0
                if total + n > budget && last > first { break }
                total += n
                last += 1
            }
            passes.append((first..<last, total))
            first = last
        }
        // Each pass reading every window costs passes × the spill, which grows with the square
        // of the corpus: with three passes or more, one read first sorts the listed ids into a
        // file per pass, and each pass reads only its own.
        let perPass = passes.count >= Self.distributingPasses
            ? try distribute(windows, into: passes.map(\.ids), tier) : nil
        for (p, (ids, total)) in passes.enumerated() {
            let first = ids.lowerBound, last = ids.upperBound
            let windows = perPass?[p] ?? windows
            // Each worker takes consecutive ids holding about an equal share of the pass's
            // window numbers, reads the whole spill, and places only its ids' numbers.
            var starts: [Int] = []
            var shares: [Range<Int>] = []
            var at = 0, shareStart = first
            for k in first..<last {
                starts.append(at)
                if tier.hasList(k) { at += Int(tier.windowCounts[k]) }
                if shares.count < workers - 1 && at * workers >= total * (shares.count + 1) {
                    shares.append(shareStart..<(k + 1))
                    shareStart = k + 1
                }
            }
            shares.append(shareStart..<last)
            if at > 0 {
                let scratch = UnsafeMutableBufferPointer<Number>.allocate(capacity: at)
                defer { scratch.deallocate() }
                encoded.withUnsafeMutableBufferPointer { encoded in
                    failures.withUnsafeMutableBufferPointer { failures in
                        DispatchQueue.concurrentPerform(iterations: shares.count) { w in
                            let share = shares[w], cursor = cursors[w]
                            guard share.contains(where: { tier.hasList($0) }) else { encoded[w] = []; return }
                            for k in share where tier.hasList(k) { cursor[Int(tier.ids[k])] = Int32(starts[k - first]) }
                            defer { for k in share { cursor[Int(tier.ids[k])] = -1 } }
                            do {
                                var reader = SpillReader(blob: windows, name: name)
                                for window in 0..<windowCount {
                                    let n = try reader.next()
                                    let number = Number(truncatingIfNeeded: window)
                                    var id: UInt32 = 0
                                    for _ in 0..<n {
                                        id &+= try reader.next()
                                        let c = cursor[Int(id)]
                                        guard c >= 0 else { continue }
                                        scratch[Int(c)] = number
                                        cursor[Int(id)] = c + 1
                                    }
                                }
                            } catch {
                                failures[w] = error
                                return
                            }
                            // Sized exactly up front: growing by doubling would hold twice the bytes.
                            var bytes: [UInt8] = []
                            bytes.reserveCapacity(share.reduce(0) { $0 + tier.listBytes($1) })
                            var wide: [UInt32] = []
                            for k in share where tier.hasList(k) {
                                let list = scratch[starts[k - first]..<(starts[k - first] + Int(tier.windowCounts[k]))]
                                wide.removeAll(keepingCapacity: true)
                                wide.append(contentsOf: list.lazy.map { UInt32($0) })
                                wide.withUnsafeBufferPointer { PostingList.encode($0, windows: tier.windowCount, into: &bytes) }
                            }
                            encoded[w] = bytes
                        }
                    }
                }
                if let failure = failures.compactMap({ $0 }).first { throw failure }
                for w in shares.indices {
                    try encoded[w].withUnsafeBytes { try out.write($0) }
                    encoded[w] = []  // freed before the next pass encodes its own
                }
            }
        }
        return try SectionBlob(file: out)
    }

    /// From this many inversion passes on, the windows are first sorted into a file per pass.
    static let distributingPasses = 2

    /// The windows split by pass: one spill per pass in the same encoding (every window, each
    /// with only the listed ids of that pass), written in one read of `windows`.
    private func distribute(_ windows: SectionBlob, into passes: [Range<Int>], _ tier: RoutingTierContents) throws -> [SectionBlob] {
        var passOf = [Int32](repeating: -1, count: windowsPerID.count)
        for (p, ids) in passes.enumerated() {
            for k in ids where tier.hasList(k) { passOf[Int(tier.ids[k])] = Int32(p) }
        }
        let files = try passes.map { _ in
            try UnlinkedTemporaryFile(folder: folder, name: name, holding: "the routing tier's window lists", bufferBytes: 0)
        }
        // A buffer of `stride` bytes per pass, written out when a varint might not fit; the
        // buffers share a fixed 4 MiB, since the passes grow with the corpus.
        let stride = max(1 << 12, (4 << 20) / passes.count)
        let buffers = UnsafeMutablePointer<UInt8>.allocate(capacity: passes.count * stride)
        let used = UnsafeMutableBufferPointer<Int>.allocate(capacity: passes.count)
        used.initialize(repeating: 0)
        let group = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: windowsPerID.count + 1)
        defer { buffers.deallocate(); used.deallocate(); group.deallocate() }
        func flush(_ p: Int) throws {
            try files[p].write(UnsafeRawBufferPointer(start: buffers + p * stride, count: used[p]))
            used[p] = 0
        }
        func put(_ value: UInt32, _ p: Int) throws {
            if used[p] + 5 > stride { try flush(p) }
            var v = value
            let out = buffers + p * stride
            while v >= 0x80 { out[used[p]] = UInt8(v & 0x7F) | 0x80; used[p] += 1; v >>= 7 }
            out[used[p]] = UInt8(v); used[p] += 1
        }
        var reader = SpillReader(blob: windows, name: name)
        for _ in 0..<windowCount {
            // Ids are increasing and so are their passes: each pass's ids come together. A
            // window writes its count of ids (0 for most passes) to every pass, then the ids.
            var next = 0, grouped = 0
            func emit(_ p: Int) throws {
                while next < p { try put(0, next); next += 1 }
                try put(UInt32(grouped), p)
                var previous: UInt32 = 0
                for k in 0..<grouped { try put(group[k] - previous, p); previous = group[k] }
                next = p + 1
                grouped = 0
            }
            let n = Int(try reader.next())
            var id: UInt32 = 0
            var current = -1
            for _ in 0..<n {
                id &+= try reader.next()
                let p = Int(passOf[Int(id)])
                guard p >= 0 else { continue }
                if p != current && current >= 0 { try emit(current) }
                current = p
                group[grouped] = id
                grouped += 1
            }
            if current >= 0 { try emit(current) }
            while next < passes.count { try put(0, next); next += 1 }
        }
        for p in passes.indices { try flush(p) }
        return try files.map { try SectionBlob(file: $0) }
    }
}

/// Reads the spill's varints back through a 1 MiB buffer.
private struct SpillReader {
    let blob: SectionBlob
    let name: String
    private let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 20)
    private var position = 0
    private var available = 0
    private var offset = 0
    private let owner: Releaser

    /// Frees the buffer when the reader goes (the struct itself cannot have a deinit).
    private final class Releaser {
        let p: UnsafeMutablePointer<UInt8>
        init(_ p: UnsafeMutablePointer<UInt8>) { self.p = p }
        deinit { p.deallocate() }
    }

    init(blob: SectionBlob, name: String) {
        self.blob = blob
        self.name = name
        owner = Releaser(buffer)
    }

    @inline(__always)
    mutating func next() throws -> UInt32 {
        // Fast path: a whole varint (at most 5 bytes) is in the buffer.
        if available - position >= 5 {
            var value = UInt32(buffer[position] & 0x7F)
            var shift: UInt32 = 7
            var b = buffer[position]
            position += 1
            while b >= 0x80 {
                b = buffer[position]
                position += 1
                value |= UInt32(b & 0x7F) << shift
                shift += 7
            }
            return value
        }
        var value: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            if position == available { try refill() }
            let b = buffer[position]
            position += 1
            value |= UInt32(b & 0x7F) << shift
            if b < 0x80 { return value }
            shift += 7
        }
    }

    private mutating func refill() throws {
        let n = min(1 << 20, blob.count - offset)
        guard n > 0 else {
            throw ProteusError(.ioError, path: name, "the routing tier's window lists end early")
        }
        try blob.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: n), at: offset)
        offset += n
        position = 0
        available = n
    }
}
