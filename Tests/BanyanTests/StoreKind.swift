import Banyan
import BanyanPostgres
import BanyanTestSupport

/// Every store configuration the repository tests run over: in memory, on
/// the filesystem, and in PostgreSQL (the test server, ``PostgresTestServer``).
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memorySHA1, memorySHA256, fileSHA1, fileSHA256, postgresSHA1, postgresSHA256

    var testDescription: String { rawValue }

    var algorithm: HashAlgorithm {
        switch self {
        case .memorySHA1, .fileSHA1, .postgresSHA1: .sha1
        case .memorySHA256, .fileSHA256, .postgresSHA256: .sha256
        }
    }

    /// A fresh repository; keep `directory` alive while using it.
    func make() throws -> (Repository, TemporaryDirectory) {
        let directory = TemporaryDirectory()
        switch self {
        case .memorySHA1, .memorySHA256:
            return (try Repository.inMemory(hashAlgorithm: algorithm), directory)
        case .fileSHA1, .fileSHA256:
            return (try Repository.create(at: directory.appending("store"), hashAlgorithm: algorithm), directory)
        case .postgresSHA1, .postgresSHA256:
            return (try Repository.create(postgres: try PostgresTestServer.freshStoreURL(rawValue), hashAlgorithm: algorithm), directory)
        }
    }
}

import Testing
import Foundation

/// A signature at a fixed time, so commit ids are deterministic.
func signature(_ time: Int64 = 1_700_000_000, name: String = "Tester") -> Signature {
    Signature(name: name, email: "tester@example.com", time: time, timeZoneMinutes: 0)
}

func key(_ text: String) -> Key {
    // Test keys are literals known to be valid.
    try! Key(text)
}

func data(_ text: String) -> Data { Data(text.utf8) }

func text(_ data: Data?) -> String? { data.map { String(decoding: $0, as: UTF8.self) } }
