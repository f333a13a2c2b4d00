import Banyan
import PostgresNIO

/// The tables of the PostgreSQL backend and the migrations that make them.
///
/// `banyan_schema_migrations` records each applied version. Opening or
/// creating a store applies the missing ones in one transaction, under an
/// advisory lock so that nodes opening the same database at once apply each
/// version once; a database migrated by a newer Banyan is refused. Every
/// table is keyed by `store_id` first, so many stores share one database
/// without seeing each other (see docs/scale-out.md for the schema).
enum PostgresSchema {
    /// One step of the schema.
    struct Migration {
        /// Its number; applied in increasing order, each once.
        let version: Int
        /// What it does, recorded with it.
        let description: String
        /// Its statements, run in order.
        let statements: [String]
    }

    /// Every migration, oldest first.
    static let migrations: [Migration] = [
        Migration(version: 1, description: "stores, objects, refs, reflogs, shallow commits", statements: [
            """
            CREATE TABLE banyan_stores (
                id bigserial PRIMARY KEY,
                name text NOT NULL UNIQUE,
                hash_algorithm text NOT NULL CHECK (hash_algorithm IN ('sha1', 'sha256')),
                config text NOT NULL DEFAULT '',
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            // Whole objects, uncompressed in the row: TOAST compresses bodies
            // past about 2 KB on its own (docs/scale-out.md, "Objects").
            """
            CREATE TABLE banyan_objects (
                store_id bigint NOT NULL REFERENCES banyan_stores (id) ON DELETE CASCADE,
                oid bytea NOT NULL,
                kind smallint NOT NULL CHECK (kind BETWEEN 1 AND 4),
                body bytea NOT NULL,
                added_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (store_id, oid)
            )
            """,
            """
            CREATE TABLE banyan_refs (
                store_id bigint NOT NULL REFERENCES banyan_stores (id) ON DELETE CASCADE,
                name text NOT NULL,
                target bytea,
                symbolic text,
                PRIMARY KEY (store_id, name),
                CHECK ((target IS NULL) <> (symbolic IS NULL))
            )
            """,
            """
            CREATE TABLE banyan_reflog (
                store_id bigint NOT NULL REFERENCES banyan_stores (id) ON DELETE CASCADE,
                ref text NOT NULL,
                seq bigserial,
                old_id bytea NOT NULL,
                new_id bytea NOT NULL,
                committer_name text NOT NULL,
                committer_email text NOT NULL,
                committer_time bigint NOT NULL,
                committer_zone integer NOT NULL,
                message text NOT NULL,
                PRIMARY KEY (store_id, ref, seq)
            )
            """,
            """
            CREATE TABLE banyan_shallow (
                store_id bigint NOT NULL REFERENCES banyan_stores (id) ON DELETE CASCADE,
                oid bytea NOT NULL,
                PRIMARY KEY (store_id, oid)
            )
            """,
        ]),
    ]

    /// The newest version this code knows.
    static var currentVersion: Int { migrations.last?.version ?? 0 }

    /// An arbitrary constant naming the advisory lock migrations take.
    private static let migrationLock: Int64 = 0x62_61_6e_79_61_6e // "banyan"

    /// Brings the database's schema to ``currentVersion``; returns the versions applied now.
    ///
    /// Throws `unsupported` when the database is at a newer version than
    /// this code knows, and `io` when a statement fails.
    @discardableResult
    static func migrate(_ session: PostgresSession) throws -> [Int] {
        try session.transaction {
            try session.query("SELECT pg_advisory_xact_lock(\(migrationLock))", "lock the schema for migration")
            try session.query("""
                CREATE TABLE IF NOT EXISTS banyan_schema_migrations (
                    version integer PRIMARY KEY,
                    description text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, "create the migrations table")
            let rows = try session.query("SELECT coalesce(max(version), 0) FROM banyan_schema_migrations",
                                         "read the schema version")
            let applied = try rows.first.map { try $0.decode(Int.self) } ?? 0
            guard applied <= currentVersion else {
                throw BanyanError(.unsupported, "the database \(session.server) has Banyan schema version \(applied), newer than this Banyan knows (\(currentVersion)); upgrade Banyan")
            }
            var done: [Int] = []
            for migration in migrations where migration.version > applied {
                for statement in migration.statements {
                    try session.query(PostgresQuery(unsafeSQL: statement), "apply schema migration \(migration.version)")
                }
                try session.query("""
                    INSERT INTO banyan_schema_migrations (version, description)
                    VALUES (\(migration.version), \(migration.description))
                    """, "record schema migration \(migration.version)")
                done.append(migration.version)
            }
            return done
        }
    }
}
