import Banyan
import BanyanConformance
@testable import BanyanPostgres
import Testing

@Test("backend conformance on PostgreSQL", arguments: BackendConformance.checks, HashAlgorithm.allCases)
func postgresBackendConformance(check: BackendConformance.Check, algorithm: HashAlgorithm) throws {
    try check.run(on: PostgresBackend.create(try TestDatabase.freshLocation(), hashAlgorithm: algorithm))
}

@Test("repository conformance on PostgreSQL", arguments: BackendConformance.repositoryChecks)
func postgresRepositoryConformance(check: BackendConformance.RepositoryCheck) async throws {
    try await check.run { algorithm in
        try Repository.create(postgres: try TestDatabase.freshLocation(), hashAlgorithm: algorithm)
    }
}
