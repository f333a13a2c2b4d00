// swift-tools-version:6.0
import PackageDescription

// The libFuzzer harness: its own package so that a plain `swift build` or
// `swift test` of Banyan never sees sanitizer flags. The Banyan modules are
// symlinks to ../Sources, compiled here with coverage and AddressSanitizer;
// swift-crypto is compiled plainly (it is not what is being fuzzed).
// BanyanSync is built without its HTTP client (`Sync`, its extensions, live sync and `HTTPTransport`
// with its TLS and change-stream client; the change stream's parser, `ServerSentEvents`, stays),
// which keeps SwiftNIO and BoringSSL out of the fuzz build.
// Build with scripts/fuzz.sh.
let sanitize: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]

let package = Package(
    name: "BanyanFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"4.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(
            name: "BanyanCore",
            dependencies: ["CZlib", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: sanitize
        ),
        .target(name: "Banyan", dependencies: ["BanyanCore"], swiftSettings: sanitize),
        .target(
            name: "BanyanSync",
            dependencies: ["Banyan", .product(name: "Crypto", package: "swift-crypto")],
            exclude: [
                "HTTPTransport.swift", "HTTPTransport+TLS.swift", "HTTPTransport+Events.swift", "Sync.swift",
                "Sync+Bundle.swift", "Sync+Converge.swift", "Sync+Partial.swift", "LiveSync.swift", "Internal/RemoteFollower.swift",
                // The encrypted remote's transport and keys (scrypt); its envelope and manifest stay.
                "Encrypted/RemoteKey.swift", "Encrypted/EncryptedRemote.swift", "Encrypted/Sync+Encrypted.swift",
            ],
            swiftSettings: sanitize
        ),
        .executableTarget(
            name: "banyan-fuzz",
            dependencies: ["BanyanCore", "Banyan", "BanyanSync", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: sanitize + [.unsafeFlags(["-parse-as-library"])],
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address", "-use-ld=lld"])]
        ),
    ],
    swiftLanguageModes: [.v6]
)
