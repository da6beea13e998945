// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "dnabench",
    // The package identity of a path dependency is its folder name: "dna" for the worktree
    // /work/wt/dna; change it when the checkout folder is named otherwise.
    dependencies: [.package(path: "../../../..")],  // the repository root
    targets: [.executableTarget(name: "dnabench",
        dependencies: [.product(name: "ProteusIndex", package: "main")],
        swiftSettings: [.swiftLanguageMode(.v5), .unsafeFlags(["-Ounchecked"])])]
)
