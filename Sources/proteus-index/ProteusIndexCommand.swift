import ArgumentParser
import ProteusIndex

@main
struct ProteusIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proteus-index",
        abstract: "Out-of-core salience index for token files larger than memory.",
        discussion: "Exit status: 0 success, 64 usage, 65 bad input data, 66 missing input, 73 cannot create output, 74 I/O error, 130 interrupted.",
        version: ProteusIndexVersion.string,
        subcommands: CommandRegistry.subcommands
    )

    static func main() {
        if let stray = DashLedText.first(in: Array(CommandLine.arguments.dropFirst())) {
            printError(DashLedText.refusal(stray))
            exit(withError: ExitCode(ProteusError.Kind.usage.rawValue))
        }
        main(nil)
    }

    /// A bare `proteus-index` is a usage error (64), the help on stderr.
    func run() throws {
        printError(ProteusIndexCommand.helpMessage())
        throw ExitCode(ProteusError.Kind.usage.rawValue)
    }
}
