// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Banyan",
    platforms: [.macOS(.v15)],
    products: [
        // The store: repositories, branches, transactions, merge, bundles, maintenance.
        .library(name: "Banyan", targets: ["Banyan"]),
        // Clone, fetch, push and pull over Git's smart HTTP protocol; serving a store's Git side.
        .library(name: "BanyanSync", targets: ["BanyanSync"]),
        // `banyan serve` as a library: Git smart HTTP, the REST API and its change stream.
        .library(name: "BanyanServer", targets: ["BanyanServer"]),
        // The checks every storage backend must pass: objects, refs, concurrency, sync, serve, maintenance.
        .library(name: "BanyanConformance", targets: ["BanyanConformance"]),
        // A PostgreSQL backend: many stores in one database, for several `banyan serve` nodes.
        .library(name: "BanyanPostgres", targets: ["BanyanPostgres"]),
        .executable(name: "banyan", targets: ["banyan"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"4.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // glibc's malloc tuning for `banyan serve` (MallocPolicy).
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .target(
            name: "BanyanCore",
            dependencies: [
                "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "Banyan", dependencies: ["BanyanCore"]),
        .target(
            name: "BanyanSync",
            dependencies: [
                "Banyan",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // scrypt for keys of encrypted remotes made from a passphrase.
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "BanyanServer",
            dependencies: [
                "Banyan",
                "BanyanSync",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            // The web console's static files (ConsoleRoutes) and the REST API's OpenAPI
            // document (written by scripts/openapi.py), read through Bundle.module.
            resources: [.copy("Console"), .copy("Resources/openapi.json")]
        ),
        .target(name: "BanyanConformance", dependencies: ["Banyan", "BanyanSync", "BanyanServer"]),
        .target(
            name: "BanyanPostgres",
            dependencies: ["Banyan", .product(name: "PostgresNIO", package: "postgres-nio")]
        ),
        // Fixtures and helpers of this package's own tests; not a product.
        .target(name: "BanyanTestSupport", dependencies: ["Banyan", "BanyanConformance"]),
        .executableTarget(
            name: "banyan",
            dependencies: [
                "Banyan",
                "CMalloc",
                "BanyanSync",
                "BanyanServer",
                "BanyanPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "notes",
            dependencies: [
                "Banyan",
                "BanyanSync",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/Notes/Sources/notes"
        ),
        .executableTarget(
            name: "banyan-bench",
            dependencies: ["Banyan", "BanyanPostgres"],
            path: "Benchmarks/Sources/banyan-bench"
        ),
        .testTarget(name: "BanyanCoreTests", dependencies: ["BanyanCore", "BanyanTestSupport"]),
        .testTarget(name: "BanyanTests", dependencies: ["Banyan", "BanyanPostgres", "BanyanTestSupport"]),
        // One process of the stress test (Tests/CLITests/StressTests.swift); internal, not a product.
        .executableTarget(name: "banyan-stress", dependencies: ["Banyan"], path: "Tests/StressWorker"),
        .testTarget(
            name: "CLITests",
            dependencies: [
                "Banyan", "BanyanSync", "BanyanServer", "BanyanPostgres", "BanyanTestSupport", "banyan", "notes",
                "banyan-stress",
            ]
        ),
        .testTarget(
            name: "BanyanAPITests",
            dependencies: [
                "Banyan", "BanyanPostgres", "BanyanServer", "BanyanSync", "BanyanTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "BanyanPostgresTests",
            dependencies: ["Banyan", "BanyanPostgres", "BanyanConformance", "BanyanTestSupport"]
        ),
        .testTarget(
            name: "BanyanSyncTests",
            dependencies: ["Banyan", "BanyanPostgres", "BanyanSync", "BanyanServer", "BanyanTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
