import Testing
@testable import ProteusIndex

/// The table signal handlers read (temporary outputs, live mappings) has no capacity limit:
/// it grows by linking blocks of 64 slots, and freed slots are reused.
@Suite struct SignalSafeTableTests {
    private func entries(_ table: SignalSafeTable) -> [String: (UInt, UInt, Int)] {
        var seen: [String: (UInt, UInt, Int)] = [:]
        table.forEach { base, length, tag, path in seen[String(cString: path)] = (base, length, tag) }
        return seen
    }

    @Test func growsPastOneBlockAndReusesFreedSlots() {
        let table = SignalSafeTable()
        #expect(table.blockCount == 1)
        for i in 0..<200 { table.insert("/tmp/file-\(i)", base: UInt(i * 4096), length: 4096, tag: i) }
        var seen = entries(table)
        #expect(seen.count == 200)
        #expect(table.blockCount == 4) // 200 entries need four blocks of 64 slots
        #expect(seen["/tmp/file-150"]! == (150 * 4096, 4096, 150))
        for i in stride(from: 0, to: 200, by: 2) { table.remove("/tmp/file-\(i)") }
        seen = entries(table)
        #expect(seen.count == 100)
        #expect(seen["/tmp/file-2"] == nil && seen["/tmp/file-3"] != nil)
        // The first new entry takes the first freed slot (file-0's), ahead of every older one.
        table.insert("/tmp/file-200")
        var order: [String] = []
        table.forEach { _, _, _, path in order.append(String(cString: path)) }
        #expect(order.first == "/tmp/file-200")
        for i in 201..<300 { table.insert("/tmp/file-\(i)") }
        #expect(entries(table).count == 200)
        // 300 insertions in all, yet no fifth block: the 100 new entries took freed slots.
        #expect(table.blockCount == 4)
    }

    @Test func removeByBaseLeavesOtherMappingsOfTheSamePath() {
        let table = SignalSafeTable()
        table.insert("corpus.u32", base: 0x1000, length: 10)
        table.insert("corpus.u32", base: 0x9000, length: 10)
        table.remove("corpus.u32", base: 0x1000)
        #expect(entries(table)["corpus.u32"]?.0 == 0x9000)
        #expect(entries(table).count == 1)
    }
}
