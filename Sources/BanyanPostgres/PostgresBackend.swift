import Banyan
import PostgresNIO
import Synchronization

/// A backend that keeps a store's objects, refs, reflogs and configuration
/// in a PostgreSQL database, so that several processes on several machines
/// (`banyan serve` nodes behind a load balancer) share one durable store.
///
/// Many stores live in one database, told apart by name
/// (``PostgresLocation/store``); every row carries its store's id and no
/// query crosses stores. Objects are rows keyed by (store, id); a ref update
/// is one transaction that locks the store's row, checks the expectation,
/// moves the ref and appends its reflog entries, so compare-and-swap is
/// linearizable across every process using the database. Objects are
/// committed before any ref that names them moves.
///
/// Thread-safety: any number of threads may use one backend; each operation
/// borrows a connection of its own pool and blocks until the server answers.
/// Cost: one round trip per object read, one `INSERT` per batch of objects,
/// seven to nine round trips per ref update (one statement each, in one
/// transaction). Failures of the server or the
/// connection throw `io` naming the server; the next operation reconnects.
public final class PostgresBackend: ObjectStore, RefStore, RefChangeSource, Sendable {
    /// The hash function ids in this store are computed with.
    public let hashAlgorithm: HashAlgorithm
    /// Where the store lives.
    public let location: PostgresLocation
    /// Posted to after every ref change, made by this process or, once a
    /// watch waits on it, by any other (heard through `LISTEN`).
    public let refChanges = RefChangeNotifier()

    /// The store's row in `banyan_stores`, which every other row names.
    let storeID: Int64
    let pool: PostgresConnectionPool
    /// Whether objects were stored (``MaintainableStore/hasStoredObjects``).
    let wroteObjects = Atomic(false)
    /// Hears other processes' ref changes, started by the first watch.
    private let listener: PostgresRefListener

    private init(location: PostgresLocation, pool: PostgresConnectionPool, storeID: Int64, hashAlgorithm: HashAlgorithm) {
        self.location = location
        self.pool = pool
        self.storeID = storeID
        self.hashAlgorithm = hashAlgorithm
        let listener = PostgresRefListener(pool: pool, storeID: storeID, notifier: refChanges)
        self.listener = listener
        refChanges.onFirstWait { [weak listener] in listener?.start() ?? false }
    }

    deinit {
        listener.stop()
    }

    /// Creates the store `location.store` in its database, migrating the
    /// database's schema first; its `HEAD` is a symbolic ref to
    /// `refs/heads/<initialBranch>`.
    ///
    /// Throws `alreadyExists` when the database has a store of that name,
    /// `invalidRefName` for a bad branch name, `io` when the server cannot
    /// be reached or refuses, `unsupported` for a schema newer than this code.
    public static func create(_ location: PostgresLocation, hashAlgorithm: HashAlgorithm = .sha1,
                              initialBranch: String = "main") throws -> PostgresBackend {
        let head = try RefName.branch(initialBranch)
        let pool = PostgresConnectionPool(location)
        let storeID: Int64 = try pool.withSession { session in
            try PostgresSchema.migrate(session)
            return try session.transaction {
                let inserted = try session.query("""
                    INSERT INTO banyan_stores (name, hash_algorithm) VALUES (\(location.store), \(hashAlgorithm.rawValue))
                    ON CONFLICT (name) DO NOTHING RETURNING id
                    """, "create store \(location.store)")
                guard let row = inserted.first else {
                    throw BanyanError(.alreadyExists, "the database \(location.server) already has a store named '\(location.store)'")
                }
                let id = try row.decode(Int64.self)
                try session.query("INSERT INTO banyan_refs (store_id, name, symbolic) VALUES (\(id), 'HEAD', \(head))",
                                  "create HEAD of store \(location.store)")
                return id
            }
        }
        return PostgresBackend(location: location, pool: pool, storeID: storeID, hashAlgorithm: hashAlgorithm)
    }

    /// Opens the existing store `location.store`, migrating the database's schema first.
    ///
    /// Throws `invalidRepository` when the database has no store of that
    /// name, `io` when the server cannot be reached or refuses,
    /// `unsupported` for a schema newer than this code.
    public static func open(_ location: PostgresLocation) throws -> PostgresBackend {
        let pool = PostgresConnectionPool(location)
        let (storeID, algorithmName): (Int64, String) = try pool.withSession { session in
            try PostgresSchema.migrate(session)
            let rows = try session.query("SELECT id, hash_algorithm FROM banyan_stores WHERE name = \(location.store)",
                                         "look up store \(location.store)")
            guard let row = rows.first else {
                throw BanyanError(.invalidRepository, "the database \(location.server) has no store named '\(location.store)'; create it with `banyan init \(location)`")
            }
            return try row.decode((Int64, String).self)
        }
        guard let algorithm = HashAlgorithm(rawValue: algorithmName) else {
            throw BanyanError(.invalidRepository, "store '\(location.store)' in \(location.server) has an unknown hash algorithm '\(algorithmName)'")
        }
        return PostgresBackend(location: location, pool: pool, storeID: storeID, hashAlgorithm: algorithm)
    }

    /// Runs `body` with a connection of the backend's pool.
    func withSession<Result>(_ body: (PostgresSession) throws -> Result) throws -> Result {
        try pool.withSession(body)
    }
}

// MARK: Conversions shared by the backend's files

extension ObjectID {
    /// The id's digest as a `bytea` parameter.
    var postgresBytes: ByteBuffer { ByteBuffer(bytes: bytes) }

    /// The id stored as `bytea`; throws `corruptObject` for a digest of no known length.
    init(postgres buffer: ByteBuffer, what: @autoclosure () -> String) throws {
        guard let id = ObjectID(bytes: buffer.readableBytesView) else {
            throw BanyanError(.corruptObject, "\(what()) holds \(buffer.readableBytes) bytes, not an object id")
        }
        self = id
    }
}
