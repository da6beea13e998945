import ArgumentParser
import ProteusIndex

/// How folders given as inputs are walked (ripgrep's options): shared by `encode` and every
/// command that reads token inputs.
struct WalkArguments: ParsableArguments {
    @Option(name: .customLong("glob"), help: ArgumentHelp(
        "In folders, take only files matching GLOB (gitignore syntax, matched inside the folder; repeatable, the last match wins; !GLOB leaves files out).",
        valueName: "glob"))
    var globs: [String] = []

    @Flag(help: "Follow symbolic links in folders (by default they are left out).")
    var follow = false

    @Flag(help: "Do not obey .gitignore and .ignore files in folders.")
    var noIgnore = false

    func options() throws -> WalkOptions {
        var o = WalkOptions()
        o.globs = try GlobFilter(globs)
        o.followLinks = follow
        o.obeyIgnoreFiles = !noIgnore
        return o
    }
}
