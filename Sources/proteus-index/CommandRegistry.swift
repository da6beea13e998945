import ArgumentParser

/// Every subcommand, in the order `--help` lists them. Each lives in `Subcommands/`.
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
