// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Banyan",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Banyan", targets: ["Banyan"]),
        .executable(name: "banyan", targets: ["banyan"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"4.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "BanyanCore",
            dependencies: [
                "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "Banyan", dependencies: ["BanyanCore"]),
        .target(name: "BanyanTestSupport", dependencies: ["Banyan"]),
        .executableTarget(
            name: "banyan",
            dependencies: [
                "Banyan",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "banyan-bench",
            dependencies: ["Banyan"],
            path: "Benchmarks/Sources/banyan-bench"
        ),
        .testTarget(name: "BanyanCoreTests", dependencies: ["BanyanCore"]),
        .testTarget(name: "BanyanTests", dependencies: ["Banyan", "BanyanTestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["Banyan", "BanyanTestSupport", "banyan"]),
    ],
    swiftLanguageModes: [.v6]
)
