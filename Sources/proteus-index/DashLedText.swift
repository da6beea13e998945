/// An argument that starts with a single '-' and holds whitespace is never an option, but the
/// argument parser reads it as a cluster of short flags: the question "-2 or +2 is returned
/// if there was" holds an "h", and printed the help with exit 0, unasked. It is refused with
/// the way to say it instead.
enum DashLedText {
    /// The first such argument before `--`, nil when there is none.
    static func first(in arguments: [String]) -> String? {
        for a in arguments {
            if a == "--" { return nil }
            if a.hasPrefix("-") && !a.hasPrefix("--") && a.contains(where: \.isWhitespace) { return a }
        }
        return nil
    }

    /// The one-line refusal of `argument`.
    static func refusal(_ argument: String) -> String {
        "proteus-index: '\(argument)' starts with '-' but is not an option: "
            + "a question that starts with '-' goes after '--' (query INDEX -- \"\(argument)\"), a value as --option=VALUE"
    }
}
