import Dispatch

/// Runs `body` over the sampled blocks on up to `threads` threads, each with its own cursor
/// and its own state, and returns the states in block order for the caller to merge.
///
/// Used for counts and co-occurrence sums, which are exact integers (or integer-valued
/// floats), so merging per-thread states in any grouping gives bit-identical results: the
/// thread count never shows in the statistics.
func scanSample<State: AnyObject>(_ blocks: [(start: UInt64, count: Int)], source: TokenSource, threads: Int,
                                  makeState: () -> State,
                                  body: (State, UnsafeBufferPointer<UInt32>) -> Void) throws -> [State] {
    let groups = max(1, min(threads, blocks.count))
    let states = (0..<groups).map { _ in makeState() }
    // One slot per group, each written by its own thread only.
    let errors = UnsafeMutablePointer<Error?>.allocate(capacity: groups)
    errors.initialize(repeating: nil, count: groups)
    defer {
        errors.deinitialize(count: groups)
        errors.deallocate()
    }
    func run(_ g: Int) {
        let lo = g * blocks.count / groups, hi = (g + 1) * blocks.count / groups
        do {
            let cursor = try source.makeCursor()
            for block in blocks[lo..<hi] {
                body(states[g], try cursor.read(start: block.start, count: block.count))
            }
        } catch {
            errors[g] = error
        }
    }
    if groups == 1 { run(0) } else { DispatchQueue.concurrentPerform(iterations: groups) { run($0) } }
    for g in 0..<groups { if let error = errors[g] { throw error } }
    return states
}
