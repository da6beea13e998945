import ArgumentParser

/// Every subcommand, in the order `--help` lists them. Each lives in `Subcommands/` and names
/// itself (`commandName`): a name derived from the type costs every process, `--version`
/// included, about a millisecond of the runtime's conformance lookups.
enum CommandRegistry {
    static let subcommands: [ParsableCommand.Type] = [
        Inspect.self,
        Encode.self,
        Decode.self,
        Learn.self,
        Build.self,
        Merge.self,
        Query.self,
        Scan.self,
        Convert.self,
    ]
}
