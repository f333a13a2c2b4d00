import Banyan
import PostgresNIO

/// One connection lent out by a ``PostgresConnectionPool`` for the time of
/// one backend operation: its queries run one after the other, blocking the
/// calling thread until the server answers.
///
/// The backend protocols are synchronous, so every query waits on its
/// future. The connections live on the pool's own event loop, never one a
/// caller runs on, so the wait cannot block the loop that answers it.
struct PostgresSession {
    let connection: PostgresConnection
    let logger: Logger
    /// Where the server is, for error messages.
    let server: String

    /// Runs `query` and returns every row.
    ///
    /// Throws `io` naming the server and its message when the query fails
    /// or the connection breaks.
    @discardableResult
    func query(_ query: PostgresQuery, _ what: @autoclosure () -> String) throws -> PostgresQueryResult {
        do {
            return try connection.query(query, logger: logger).wait()
        } catch {
            throw PostgresErrors.banyanError(error, doing: what(), server: server)
        }
    }

    /// Runs `body` inside `BEGIN` … `COMMIT`, rolling back when it throws.
    ///
    /// A failed `COMMIT` (a serialization failure, a lost connection) throws
    /// `io`: the caller cannot tell whether it applied only when the
    /// connection broke during the commit itself.
    func transaction<Result>(_ body: () throws -> Result) throws -> Result {
        try query("BEGIN", "begin a transaction")
        let result: Result
        do {
            result = try body()
        } catch {
            if !connection.isClosed { _ = try? connection.query("ROLLBACK", logger: logger).wait() }
            throw error
        }
        try query("COMMIT", "commit a transaction")
        return result
    }
}

/// How PostgreSQL's errors reach Banyan's callers.
enum PostgresErrors {
    /// A `BanyanError` of code `io` for `error`, met while doing `what`,
    /// with the server's own message (PSQLError's description hides it).
    static func banyanError(_ error: any Error, doing what: String, server: String) -> BanyanError {
        if let error = error as? BanyanError { return error }
        return BanyanError(.io, "PostgreSQL at \(server) failed to \(what): \(describe(error))")
    }

    /// The server's message and SQL state, or the client-side failure.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let info = error.serverInfo, let message = info[.message] {
            let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            let detail = info[.detail].map { "; \($0)" } ?? ""
            return message + detail + state
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }
}
