import Testing
@testable import ProteusIndex

@Suite struct BackgroundResultTests {
    @Test func theValueOrTheErrorComesBackToTheCaller() throws {
        let sum = BackgroundResult { (1...1_000).reduce(0, +) }
        #expect(try sum.value() == 500_500)
        #expect(try sum.value() == 500_500) // asked again: no second wait
        let refused = BackgroundResult { () throws -> Int in throw ProteusError(.dataError, path: "i.phb", "damaged") }
        #expect(failure { _ = try refused.value() } == "i.phb: damaged")
    }
}
