// swift-tools-version:6.0
// An app that embeds Banyan the way any outside package does: through the
// library products of the package one directory up, by path.
import PackageDescription

let package = Package(
    name: "EmbeddedStore",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Banyan", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "embedded-store",
            dependencies: [
                .product(name: "Banyan", package: "Banyan"),
                .product(name: "BanyanSync", package: "Banyan"),
                .product(name: "BanyanServer", package: "Banyan"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
