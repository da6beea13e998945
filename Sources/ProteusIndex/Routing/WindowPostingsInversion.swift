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
        // The passes: consecutive ids whose lists fit a worker's share of the budget together.
        // Workers take whole passes side by side, each reading only its pass's windows. Past
        // one, the passes are as many as the share needs rounded up to a multiple of the
        // workers, and of even size: a last group of fewer passes, or one large pass, kept one
        // thread working alone at the end of a build.
        let listed = tier.ids.indices.reduce(0) { $0 + (tier.hasList($1) ? Int(tier.windowCounts[$1]) : 0) }
        let most = max(1, budget / workers)
        let needed = (listed + most - 1) / most
        let passCount = needed <= 1 ? 1 : (needed + workers - 1) / workers * workers
        var passes: [(ids: Range<Int>, total: Int)] = []
        var first = 0, done = 0
        while first < tier.ids.count {
            // Pass k ends once the lists so far reach k + 1 shares of them all (the last takes
            // the rest), never holding more than `most`.
            let last = passes.count + 1 >= passCount
            let goal = last ? listed : (passes.count + 1) * listed / passCount
            var end = first, total = 0
            while end < tier.ids.count {
                let n = tier.hasList(end) ? Int(tier.windowCounts[end]) : 0
                if end > first && (total + n > most || (!last && done + total >= goal)) { break }
                total += n
                end += 1
            }
            passes.append((first..<end, total))
            done += total
            first = end
        }
        // Each pass reading every window costs passes × the spill, which grows with the square
        // of the corpus: with two passes or more, one read first sorts the listed ids into a
        // file per pass (or per few passes, past `distributeFiles`), and each pass reads its own.
        let perPass = passes.count >= Self.distributingPasses ? try distribute(windows, into: passes.map(\.ids), tier) : nil
        // Per worker: where the next window of each id of its pass goes (-1 for other ids),
        // its window numbers, and its pass's encoded lists.
        let cursors = (0..<workers).map { _ in
            let c = UnsafeMutablePointer<Int32>.allocate(capacity: windowsPerID.count)
            c.initialize(repeating: -1, count: windowsPerID.count)
            return c
        }
        let largest = passes.map(\.total).max() ?? 0
        let scratches = (0..<workers).map { _ in UnsafeMutableBufferPointer<Number>.allocate(capacity: max(1, largest)) }
        defer {
            for c in cursors { c.deallocate() }
            for s in scratches { s.deallocate() }
        }
        var encoded = [[UInt8]](repeating: [], count: workers)
        var failures = [Error?](repeating: nil, count: workers)
        for group in stride(from: 0, to: passes.count, by: workers) {
            let inGroup = min(workers, passes.count - group)
            encoded.withUnsafeMutableBufferPointer { encoded in
                failures.withUnsafeMutableBufferPointer { failures in
                    DispatchQueue.concurrentPerform(iterations: inGroup) { w in
                        let (ids, total) = passes[group + w]
                        guard total > 0 else { encoded[w] = []; return }
                        do {
                            encoded[w] = try invertPass(ids, tier, windows: perPass?[group + w] ?? windows,
                                                        cursor: cursors[w], scratch: scratches[w])
                        } catch {
                            failures[w] = error
                        }
                    }
                }
            }
            if let failure = failures.compactMap({ $0 }).first { throw failure }
            for w in 0..<inGroup {
                try encoded[w].withUnsafeBytes { try out.write($0) }
                encoded[w] = []  // freed before the next passes encode their own
            }
        }
        return try SectionBlob(file: out)
    }

    /// The encoded lists of the ids `ids` (tier indices), from one read of `windows`: each
    /// window number is placed in its id's stretch of `scratch`, then each list is encoded.
    private func invertPass<Number: FixedWidthInteger & UnsignedInteger>(
        _ ids: Range<Int>, _ tier: RoutingTierContents, windows: SectionBlob,
        cursor: UnsafeMutablePointer<Int32>, scratch: UnsafeMutableBufferPointer<Number>
    ) throws -> [UInt8] {
        var starts: [Int] = []
        var at = 0
        for k in ids {
            starts.append(at)
            if tier.hasList(k) {
                cursor[Int(tier.ids[k])] = Int32(at)
                at += Int(tier.windowCounts[k])
            }
        }
        defer { for k in ids { cursor[Int(tier.ids[k])] = -1 } }
        var reader = SpillReader(blob: windows, name: name)
        let limit = UInt32(windowsPerID.count)
        let windowIDs = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: windowsPerID.count)
        defer { windowIDs.deallocate() }
        for window in 0..<windowCount {
            let n = try reader.nextWindow(into: windowIDs.baseAddress!, capacity: windowIDs.count, limit: limit)
            let number = Number(truncatingIfNeeded: window)
            for i in 0..<n {
                let id = Int(windowIDs[i])
                let c = cursor[id]
                guard c >= 0 else { continue }
                scratch[Int(c)] = number
                cursor[id] = c &+ 1
            }
        }
        // Sized exactly up front: growing by doubling would hold twice the bytes.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.reduce(0) { $0 + tier.listBytes($1) })
        for k in ids where tier.hasList(k) {
            let start = starts[k - ids.lowerBound]
            PostingList.encode(UnsafeBufferPointer(rebasing: scratch[start..<(start + Int(tier.windowCounts[k]))]),
                               windows: tier.windowCount, into: &bytes)
        }
        return bytes
    }

    /// From this many inversion passes on, the windows are first sorted by pass (`distribute`).
    static let distributingPasses = 2

    /// The windows sorted by pass, for each pass the spill holding its ids (shared by
    /// consecutive passes past `distributeFiles`).
    private func distribute(_ windows: SectionBlob, into passes: [Range<Int>], _ tier: RoutingTierContents) throws -> [SectionBlob] {
        let fileCount = min(passes.count, max(1, distributeFiles))
        let firstPass = (0...fileCount).map { passes.count * $0 / fileCount }
        let shared = (0..<fileCount).map { f in passes[firstPass[f]].lowerBound..<passes[firstPass[f + 1] - 1].upperBound }
        let files = try split(windows, by: shared, tier)
        return (0..<fileCount).flatMap { f in repeatElement(files[f], count: firstPass[f + 1] - firstPass[f]) }
    }

    /// The windows split by ranges of ids (here called passes): one spill per range in the
    /// same encoding (every window, each with only the listed ids of that range), written in
    /// one read of `windows` per thread, each thread writing the spills of its own consecutive
    /// ranges. It runs at the end of a build while nothing else does, so it is written for
    /// speed: a window's ids are decoded in one go, the listed ones found by a bit per id
    /// (the vocabulary's bits stay in L1), and since ids come in order and each pass takes
    /// the ids below the next pass's first, the pass is a pointer moving forward, not a table
    /// lookup per id.
    private func split(_ windows: SectionBlob, by passes: [Range<Int>], _ tier: RoutingTierContents) throws -> [SectionBlob] {
        // passEnds[p]: the first id after pass p's (ids of no pass lie between, unlisted).
        let passEnds = passes.map { $0.isEmpty ? 0 : tier.ids[$0.upperBound - 1] + 1 }
        let files = try passes.map { _ in
            try UnlinkedTemporaryFile(folder: folder, name: name, holding: "the routing tier's window lists", bufferBytes: 0)
        }
        // A buffer of `stride` bytes per pass, written out when a window's group might not
        // fit; the buffers share `distributeBufferBytes` (4 MiB), since the passes grow with the corpus.
        let stride = max(distributeStrideFloor, distributeBufferBytes / passes.count)
        let buffers = UnsafeMutablePointer<UInt8>.allocate(capacity: passes.count * stride)
        let used = UnsafeMutableBufferPointer<Int>.allocate(capacity: passes.count)
        used.initialize(repeating: 0)
        defer { buffers.deallocate(); used.deallocate() }
        let workers = min(max(1, threads), passes.count)
        var failures = [Error?](repeating: nil, count: workers)
        failures.withUnsafeMutableBufferPointer { failures in
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let mine = (passes.count * w / workers)..<(passes.count * (w + 1) / workers)
                do {
                    try splitPart(windows, passes: mine, ends: passEnds, ranges: passes, tier,
                                   to: files, buffers: buffers, stride: stride, used: used)
                } catch {
                    failures[w] = error
                }
            }
        }
        if let failure = failures.compactMap({ $0 }).first { throw failure }
        return try files.map { try SectionBlob(file: $0) }
    }

    /// One thread's part of `split`: the spills of passes `mine`.
    private func splitPart(_ windows: SectionBlob, passes mine: Range<Int>, ends passEnds: [UInt32], ranges: [Range<Int>],
                           _ tier: RoutingTierContents, to files: [UnlinkedTemporaryFile],
                           buffers: UnsafeMutablePointer<UInt8>, stride: Int, used: UnsafeMutableBufferPointer<Int>) throws {
        let listed = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: windowsPerID.count / 64 + 1)
        listed.initialize(repeating: 0)
        let ids = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: windowsPerID.count + 1)
        defer { listed.deallocate(); ids.deallocate() }
        for p in mine {
            for k in ranges[p] where tier.hasList(k) {
                let id = Int(tier.ids[k])
                listed[id >> 6] |= 1 << UInt64(id & 63)
            }
        }
        func flush(_ p: Int) throws {
            try files[p].write(UnsafeRawBufferPointer(start: buffers + p * stride, count: used[p]))
            used[p] = 0
        }
        /// Pass `p`'s part of a window: the count, then the ids `group` as deltas.
        func emit(_ group: Slice<UnsafeMutableBufferPointer<UInt32>>, to p: Int) throws {
            // Room for every varint of the group; a group longer than a stride is written
            // from a buffer of its own.
            let most = Varint.maximumBytes * (group.count + 1)
            if used[p] + most > stride { try flush(p) }
            guard most <= stride else {
                try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: most) { room in
                    let n = Varint.write(window: group, to: room.baseAddress!, at: 0)
                    try files[p].write(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(room)[0..<n]))
                }
                return
            }
            used[p] = Varint.write(window: group, to: buffers + p * stride, at: used[p])
        }
        var reader = SpillReader(blob: windows, name: name)
        let limit = UInt32(windowsPerID.count)
        for _ in 0..<windowCount {
            // The window's listed ids of these passes, in order (so each pass's come together).
            let n = try reader.nextWindow(into: ids.baseAddress!, capacity: ids.count, limit: limit)
            var kept = 0
            for i in 0..<n {
                let id = ids[i]
                ids[kept] = id
                kept &+= Int(truncatingIfNeeded: listed[Int(id >> 6)] >> UInt64(id & 63) & 1)
            }
            var from = 0
            for p in mine {
                var to = from
                while to < kept && ids[to] < passEnds[p] { to += 1 }
                try emit(ids[from..<to], to: p)
                from = to
            }
        }
        for p in mine { try flush(p) }
    }
}

/// Reads the spill's varints back through a 1 MiB buffer.
private struct SpillReader {
    let blob: SectionBlob
    let name: String
    static let bufferBytes = 1 << 20
    private let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: bufferBytes)
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

    /// Decodes the next window into `ids` (room for `capacity`): its count, then its ids,
    /// each a delta from the one before; returns the count. Ids must lie below `limit`.
    /// One tight loop with nothing that throws inside: decoding value by value through
    /// `next` kept the running id in memory, not in a register, and cost 12 ns an id.
    mutating func nextWindow(into ids: UnsafeMutablePointer<UInt32>, capacity: Int, limit: UInt32) throws -> Int {
        let n = Int(try next())
        guard n <= capacity else { throw corrupt() }
        let most = Varint.maximumBytes * n
        if available - position < most { try compact() }
        var id: UInt64 = 0
        if available - position >= most {
            var p = UnsafePointer(buffer + position)
            for i in 0..<n {
                id &+= UInt64(Varint.read(&p))
                ids[i] = UInt32(truncatingIfNeeded: id)
            }
            position = p - UnsafePointer(buffer)
        } else {
            // The spill's last bytes: fewer than the longest encoding, value by value.
            for i in 0..<n {
                id &+= UInt64(try next())
                ids[i] = UInt32(truncatingIfNeeded: id)
            }
        }
        guard id < UInt64(limit) else { throw corrupt() }
        return n
    }

    /// Moves the unread bytes to the front and fills the buffer from the spill (a window's
    /// longest encoding, 5 bytes an id of the vocabulary, is well within it).
    private mutating func compact() throws {
        let kept = available - position
        buffer.update(from: buffer + position, count: kept)
        position = 0
        available = kept
        let n = min(Self.bufferBytes - kept, blob.count - offset)
        guard n > 0 else { return }
        try blob.read(into: UnsafeMutableRawBufferPointer(start: buffer + kept, count: n), at: offset)
        offset += n
        available += n
    }

    /// The error for a spill that does not hold what was written to it.
    func corrupt() -> ProteusError {
        ProteusError(.ioError, path: name, "the routing tier's window lists were not read back as written")
    }

    private mutating func refill() throws {
        let n = min(Self.bufferBytes, blob.count - offset)
        guard n > 0 else {
            throw ProteusError(.ioError, path: name, "the routing tier's window lists end early")
        }
        try blob.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: n), at: offset)
        offset += n
        position = 0
        available = n
    }
}
