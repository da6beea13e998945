// swift-tools-version:6.0
import PackageDescription

// Raw-pointer, multi-threaded systems code: Swift 5 language mode keeps the
// concurrency checker out of hot loops that are synchronised by hand.
let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "proteus-index",
    products: [
        .library(name: "ProteusIndex", targets: ["ProteusIndex"]),
        .executable(name: "proteus-index", targets: ["proteus-index"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(
            name: "ProteusIndex",
            dependencies: ["CZstd", "CLZ4", "CLibCrypto"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "proteus-index",
            dependencies: [
                "ProteusIndex",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProteusIndexTests",
            dependencies: ["ProteusIndex"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["proteus-index", "ProteusIndex"],
            swiftSettings: swiftSettings
        ),
    ]
)
