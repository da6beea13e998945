// swift-tools-version:6.0
import Foundation
import PackageDescription

// A path dependency's package identity is its folder's name, so read it from the checkout
// this file sits in (four folders up) instead of writing one down.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../../..").standardizedFileURL
let package = Package(
    name: "dnabench",
    dependencies: [.package(path: "../../../..")],  // the repository root
    targets: [.executableTarget(name: "dnabench",
        dependencies: [.product(name: "ProteusIndex", package: root.lastPathComponent.lowercased())],
        swiftSettings: [.swiftLanguageMode(.v5), .unsafeFlags(["-Ounchecked"])])]
)
