import Banyan
import PostgresNIO
import Synchronization

/// Connections to one PostgreSQL database, opened when no idle one is at
/// hand and kept for reuse, up to ``keepIdle`` of them.
///
/// Each backend operation borrows one connection for its queries (a ref
/// update's whole transaction) and gives it back; concurrent operations
/// open as many connections as they need. A connection the server closed
/// (a restart) is dropped when it is next picked, so the pool recovers once
/// the server is back. Thread-safe.
final class PostgresConnectionPool: Sendable {
    /// The event loop every connection of the process runs on: one thread of
    /// its own, so a caller blocked on a query never blocks the loop that
    /// answers it (a server's request handlers run on loops of their own).
    /// It lives as long as the process.
    private static let eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private static let nextID = Atomic<Int>(0)

    /// How many idle connections are kept; more are closed when given back.
    let keepIdle = 8
    /// `host:port/database`, for error messages.
    let server: String
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private let idle = Mutex<[PostgresConnection]>([])

    init(_ location: PostgresLocation) {
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: .disable)
        configuration.options.connectTimeout = .seconds(10)
        self.configuration = configuration
        self.server = location.server
        var logger = Logger(label: "banyan.postgres")
        logger.logLevel = .critical
        self.logger = logger
    }

    deinit {
        for connection in idle.withLock({ $0 }) { Self.close(connection) }
    }

    /// Closes `connection` in the background, keeping it alive until closed
    /// (PostgresNIO requires a connection to be closed before it goes).
    static func close(_ connection: PostgresConnection) {
        connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    /// The logger queries run with (quiet: errors reach callers as `BanyanError`s).
    var queryLogger: Logger { logger }

    /// Runs `body` with a connection of the pool, returned to the pool afterwards.
    ///
    /// Throws `io` when no connection can be opened (the server is down, the
    /// database or role does not exist), and what `body` throws.
    func withSession<Result>(_ body: (PostgresSession) throws -> Result) throws -> Result {
        let connection = try acquire()
        defer { release(connection) }
        return try body(PostgresSession(connection: connection, logger: logger, server: server))
    }

    private func acquire() throws -> PostgresConnection {
        while let connection = idle.withLock({ $0.popLast() }) {
            if !connection.isClosed { return connection }
        }
        return try connect()
    }

    /// A new connection outside the pool, for a caller that keeps it (a `LISTEN`er).
    ///
    /// Throws `io` when the server cannot be reached or refuses.
    func connect() throws -> PostgresConnection {
        let id = Self.nextID.wrappingAdd(1, ordering: .relaxed).newValue
        do {
            return try PostgresConnection.connect(on: Self.eventLoopGroup.next(), configuration: configuration, id: id,
                                                  logger: logger).wait()
        } catch {
            throw BanyanError(.io, "cannot connect to PostgreSQL at \(server): \(PostgresErrors.describe(error))")
        }
    }

    private func release(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        let kept = idle.withLock { idle in
            guard idle.count < keepIdle else { return false }
            idle.append(connection)
            return true
        }
        if !kept { Self.close(connection) }
    }
}
