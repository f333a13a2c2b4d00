import BanyanPostgres
import BanyanTestSupport
import Foundation

/// Stores on the test server (``PostgresTestServer``).
enum TestDatabase {
    /// A location for a store no test used before.
    static func freshLocation(_ label: String = "t") throws -> PostgresLocation {
        try location(store: "\(label)-\(UUID().uuidString.lowercased())")
    }

    /// The location of the store named `store` on the test server.
    static func location(store: String) throws -> PostgresLocation {
        try PostgresLocation(url: try PostgresTestServer.url() + "?store=" + store)
    }
}
