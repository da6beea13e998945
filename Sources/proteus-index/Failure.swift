import ArgumentParser
import ProteusIndex
#if canImport(Glibc)
import Glibc
#endif

/// Runs a subcommand's body and turns a `ProteusError` into its one-line message and exit
/// status, the way every subcommand reports failure.
func reportingFailures(_ body: () throws -> Void) throws {
    ProcessSignals.install(programName: "proteus-index")
    do {
        try body()
    } catch let error as ProteusError {
        printError("proteus-index: \(error)")
        throw ExitCode(error.exitStatus)
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    var text = line
    if !text.hasSuffix("\n") { text += "\n" }
    fputs(text, stderr)
}
