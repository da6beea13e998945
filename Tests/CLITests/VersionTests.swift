import Testing
import ProteusIndex

@Suite struct VersionTests {
    @Test func versionPrintsTheLibraryVersion() throws {
        let r = try CLI.run(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == ProteusIndexVersion.string)
    }

    @Test func unknownSubcommandIsAUsageError() throws {
        let r = try CLI.run(["frobnicate"])
        #expect(r.status == 64)
    }
}
