import Banyan
import PostgresNIO

extension PostgresBackend: ConfigStore {
    /// The store's Git configuration, kept as text in its `banyan_stores` row.
    ///
    /// Throws `invalidRepository` when it does not parse, `io` when the server fails.
    public func loadConfig() throws -> GitConfig {
        let text = try withSession { session in try readConfig(session, locking: false) }
        return try parse(text)
    }

    /// Reads, changes and writes the configuration in one transaction that
    /// locks the store's row, so writers in every process exclude each other.
    public func updateConfig<Result>(_ body: (inout GitConfig) throws -> Result) throws -> Result {
        try withSession { session in
            try session.transaction {
                var config = try parse(try readConfig(session, locking: true))
                let result = try body(&config)
                try session.query("UPDATE banyan_stores SET config = \(config.text) WHERE id = \(storeID)",
                                  "write the configuration of store \(location.store)")
                return result
            }
        }
    }

    private func readConfig(_ session: PostgresSession, locking: Bool) throws -> String {
        let query: PostgresQuery = locking
            ? "SELECT config FROM banyan_stores WHERE id = \(storeID) FOR NO KEY UPDATE"
            : "SELECT config FROM banyan_stores WHERE id = \(storeID)"
        let rows = try session.query(query, "read the configuration of store \(location.store)")
        guard let row = rows.first else {
            throw BanyanError(.invalidRepository, "store '\(location.store)' was removed from \(location.server)")
        }
        return try row.decode(String.self)
    }

    private func parse(_ text: String) throws -> GitConfig {
        do {
            return try GitConfig(parsing: text)
        } catch {
            throw BanyanError(.invalidRepository, "the configuration of store '\(location.store)' does not parse", cause: error)
        }
    }
}

extension PostgresBackend: ShallowStore {
    /// The shallow commits; empty for a complete history.
    public func shallowCommits() throws -> Set<ObjectID> {
        let rows = try withSession { session in
            try session.query("SELECT oid FROM banyan_shallow WHERE store_id = \(storeID)", "read the shallow commits")
        }
        return Set(try rows.map { try ObjectID(postgres: $0.decode(ByteBuffer.self), what: "a shallow commit") })
    }

    /// Replaces the shallow commits, in one transaction.
    public func setShallowCommits(_ ids: Set<ObjectID>) throws {
        let digests = ids.map(\.postgresBytes)
        try withSession { session in
            try session.transaction {
                try session.query("DELETE FROM banyan_shallow WHERE store_id = \(storeID)", "clear the shallow commits")
                if !digests.isEmpty {
                    try session.query("""
                        INSERT INTO banyan_shallow (store_id, oid) SELECT \(storeID), * FROM unnest(\(digests)::bytea[])
                        """, "record the shallow commits")
                }
            }
        }
    }
}
