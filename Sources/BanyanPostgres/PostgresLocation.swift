import Banyan
import Foundation

/// Where a PostgreSQL store lives: a server, a database on it and the
/// store's name there, written as
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE?store=NAME`
/// (`postgresql://` too).
///
/// Many stores share one database; `store` tells them apart. Connections
/// are plain TCP: TLS is not supported yet.
public struct PostgresLocation: Hashable, Sendable, CustomStringConvertible {
    /// The server's host name or address.
    public var host: String
    /// The server's port (5432 when the URL names none).
    public var port: Int
    /// The role to connect as.
    public var user: String
    /// The role's password, if the server asks for one.
    public var password: String?
    /// The database holding the stores.
    public var database: String
    /// The store's name in the database.
    public var store: String

    /// Creates a location from its parts.
    public init(host: String, port: Int = 5432, user: String, password: String? = nil, database: String, store: String) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.store = store
    }

    /// True when `text` is a PostgreSQL URL (`postgres://` or `postgresql://`),
    /// so a path argument names a PostgreSQL store rather than a directory.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses a `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE?store=NAME` URL.
    ///
    /// Throws `invalidArgument` naming what is missing or not understood: no
    /// user, host, database or `store`, an empty store name, or another parameter.
    public init(url text: String) throws {
        guard Self.isURL(text), let url = URLComponents(string: text) else {
            throw Self.invalid(text, "it is not a postgres:// URL")
        }
        guard let host = url.host, !host.isEmpty else { throw Self.invalid(text, "it names no host") }
        guard let user = url.user, !user.isEmpty else { throw Self.invalid(text, "it names no user (postgres://USER@HOST/...)") }
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw Self.invalid(text, "it names no database (postgres://USER@HOST:PORT/DATABASE?store=NAME)")
        }
        var store: String?
        for item in url.queryItems ?? [] {
            guard item.name == "store" else {
                throw Self.invalid(text, "parameter '\(item.name)' is not supported (only 'store' is)")
            }
            store = item.value
        }
        guard let store, !store.isEmpty else {
            throw Self.invalid(text, "it names no store: add ?store=NAME (many stores share one database)")
        }
        self.init(host: host, port: url.port ?? 5432, user: user, password: url.password, database: database, store: store)
    }

    /// `host:port/database`, without credentials, for messages.
    public var server: String { "\(host):\(port)/\(database)" }

    /// The URL of this location, without the password.
    public var description: String { "postgres://\(user)@\(server)?store=\(store)" }

    private static func invalid(_ text: String, _ problem: String) -> BanyanError {
        BanyanError(.invalidArgument, "'\(redacted(text))' is not a PostgreSQL store location: \(problem)")
    }

    /// `text` with any password replaced by `***`.
    private static func redacted(_ text: String) -> String {
        guard var url = URLComponents(string: text), url.password != nil else { return text }
        url.password = "***"
        return url.string ?? text
    }
}
