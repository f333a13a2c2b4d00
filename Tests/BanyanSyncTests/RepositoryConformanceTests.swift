import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// The stores the repository-level conformance checks run over: the
/// in-memory backend, and the filesystem backend appending to packs and
/// writing loose objects.
enum RepositoryBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory, fileSystem, looseFileSystem

    var testDescription: String { rawValue }

    /// Runs `body` with a factory of fresh repositories of this backend, removed afterwards.
    func withFactory(_ body: (BackendConformance.RepositoryFactory) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("banyan-repo-conformance-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let mode: FileSystemBackend.WriteMode = self == .looseFileSystem ? .loose : .pack
        try await body { [self] algorithm in
            switch self {
            case .memory:
                return try Repository.inMemory(hashAlgorithm: algorithm)
            case .fileSystem, .looseFileSystem:
                return try Repository.create(at: directory + "/\(UUID().uuidString).git", hashAlgorithm: algorithm, configuration: .init(writeMode: mode, maintenance: .off))
            }
        }
    }
}

@Test("repository conformance", arguments: BackendConformance.repositoryChecks, RepositoryBackend.allCases)
func repositoryConformance(check: BackendConformance.RepositoryCheck, backend: RepositoryBackend) async throws {
    try await backend.withFactory { try await check.run(with: $0) }
}
