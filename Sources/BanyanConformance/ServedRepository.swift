import Banyan
import BanyanServer
import BanyanSync

/// A repository served by `BanyanServer` on an ephemeral loopback port,
/// for the checks that sync with it over HTTP; `stop()` ends it.
struct ServedRepository: Sendable {
    /// `http://127.0.0.1:PORT/`.
    let url: String
    private let task: Task<Void, any Error>

    /// Starts serving `repository`'s Git side (receive-pack on).
    static func start(_ repository: Repository) async throws -> ServedRepository {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let builder = BanyanServerBuilder(
            repository: repository, configuration: .init(host: "127.0.0.1", port: 0, logLevel: .critical))
        let app = try builder.application { continuation.yield($0) }
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            task.cancel()
            throw BanyanError(.io, "the conformance server did not start")
        }
        return ServedRepository(url: "http://127.0.0.1:\(port)/", task: task)
    }

    /// Stops the server and waits for it.
    func stop() async {
        task.cancel()
        _ = await task.result
    }

    /// Runs `body` with `repository` served, stopping the server afterwards whatever happens.
    static func serving<R>(_ repository: Repository, _ body: (ServedRepository) async throws -> R) async throws -> R {
        let server = try await start(repository)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }
}
