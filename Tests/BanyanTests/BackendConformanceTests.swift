import Banyan
import BanyanTestSupport
import Testing

/// A backend configuration the conformance suite runs against.
struct BackendUnderTest: Sendable, CustomTestStringConvertible {
    enum Kind: Sendable { case memory, fileSystem, durableFileSystem, looseFileSystem }
    let kind: Kind
    let algorithm: HashAlgorithm

    static let all: [BackendUnderTest] = [
        .init(kind: .memory, algorithm: .sha1), .init(kind: .memory, algorithm: .sha256),
        .init(kind: .fileSystem, algorithm: .sha1), .init(kind: .fileSystem, algorithm: .sha256),
        .init(kind: .durableFileSystem, algorithm: .sha1),
        .init(kind: .looseFileSystem, algorithm: .sha1), .init(kind: .looseFileSystem, algorithm: .sha256),
    ]

    var testDescription: String { "\(kind) \(algorithm)" }

    /// Runs `body` on a fresh backend of this configuration.
    func withBackend(_ body: (BackendConformance.Backend) throws -> Void) throws {
        switch kind {
        case .memory:
            try body(MemoryBackend(hashAlgorithm: algorithm))
        case .fileSystem, .durableFileSystem, .looseFileSystem:
            try withTemporaryDirectory { directory in
                let durability: FileSystemBackend.Durability = kind == .durableFileSystem ? .commit : .none
                let mode: FileSystemBackend.WriteMode = kind == .looseFileSystem ? .loose : .pack
                try body(FileSystemBackend.create(at: directory + "/store.git", hashAlgorithm: algorithm, configuration: .init(durability: durability, writeMode: mode)))
            }
        }
    }
}

@Test("backend conformance", arguments: BackendConformance.checks, BackendUnderTest.all)
func backendConformance(check: BackendConformance.Check, backend: BackendUnderTest) throws {
    try backend.withBackend { try check.run(on: $0) }
}
