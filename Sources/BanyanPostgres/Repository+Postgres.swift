import Banyan

extension Repository {
    /// Creates a new store in a PostgreSQL database and opens it.
    ///
    /// `url` is `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE?store=NAME`;
    /// the database must exist, its Banyan tables are made or migrated here.
    /// Throws `invalidArgument` for a malformed URL, `alreadyExists` when the
    /// store exists, `io` when the server cannot be reached or refuses.
    public static func create(postgres url: String, hashAlgorithm: HashAlgorithm = .sha1,
                              initialBranch: String = "main") throws -> Repository {
        try create(postgres: try PostgresLocation(url: url), hashAlgorithm: hashAlgorithm, initialBranch: initialBranch)
    }

    /// Creates a new store at `location` and opens it, as the URL version does.
    public static func create(postgres location: PostgresLocation, hashAlgorithm: HashAlgorithm = .sha1,
                              initialBranch: String = "main") throws -> Repository {
        let backend = try PostgresBackend.create(location, hashAlgorithm: hashAlgorithm, initialBranch: initialBranch)
        return Repository(objects: backend, refs: backend)
    }

    /// Opens an existing store in a PostgreSQL database.
    ///
    /// `url` is `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE?store=NAME`.
    /// Throws `invalidArgument` for a malformed URL, `invalidRepository`
    /// when the database has no such store, `io` when the server cannot be
    /// reached or refuses.
    public static func open(postgres url: String) throws -> Repository {
        try open(postgres: try PostgresLocation(url: url))
    }

    /// Opens the existing store at `location`, as the URL version does.
    public static func open(postgres location: PostgresLocation) throws -> Repository {
        let backend = try PostgresBackend.open(location)
        return Repository(objects: backend, refs: backend)
    }
}
