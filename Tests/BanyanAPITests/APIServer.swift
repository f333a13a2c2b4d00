import AsyncHTTPClient
import Banyan
import BanyanPostgres
import BanyanServer
import BanyanSync
import BanyanTestSupport
import Foundation
import Hummingbird
import NIOCore
import Testing

/// A server with the REST API on an ephemeral loopback port, and a client for it.
final class APIServer: Sendable {
    /// Where the served store lives.
    enum Store: String, CaseIterable, CustomTestStringConvertible, Sendable {
        /// A bare Git repository in the server's directory (`store`).
        case filesystem
        /// A store of its own on the PostgreSQL test server (``PostgresTestServer``).
        case postgres

        var testDescription: String { rawValue }
    }

    let port: Int
    let task: Task<Void, any Error>
    let repository: Repository
    let directory: TemporaryDirectory

    private init(port: Int, task: Task<Void, any Error>, repository: Repository, directory: TemporaryDirectory) {
        self.port = port
        self.task = task
        self.repository = repository
        self.directory = directory
    }

    static func start(store: Store = .filesystem, token: String? = nil, options: RESTAPI.Options = .init(heartbeat: .milliseconds(200), pollInterval: .milliseconds(50)),
                      git: GitService.Options? = nil, idleTimeout: Duration? = .seconds(60), console: Bool = false,
                      trustedOrigins: [String] = [])
        async throws -> APIServer {
        let directory = TemporaryDirectory("banyan-api")
        let repository = switch store {
        case .filesystem: try Repository.create(at: directory.appending("store"))
        case .postgres: try Repository.create(postgres: try PostgresTestServer.freshStoreURL("api"))
        }
        try repository.branch("main").set(try Key("notes/a"), Data("one".utf8))
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var configuration = BanyanServerBuilder.Configuration(host: "127.0.0.1", port: 0, token: token,
                                                              git: git ?? .init(readOnly: options.readOnly), logLevel: .critical,
                                                              idleTimeout: idleTimeout, console: console)
        configuration.trustedOrigins = trustedOrigins
        let builder = BanyanServerBuilder(repository: repository, configuration: configuration)
        var options = options
        options.trustedOrigins = trustedOrigins
        RESTAPI.add(to: builder.router, repository: repository, options: options)
        let app = try builder.application { port in continuation.yield(port) }
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw BanyanError(.io, "server did not start") }
        return APIServer(port: port, task: task, repository: repository, directory: directory)
    }

    /// Checks the store as git sees it: `git fsck --strict` on the
    /// repository itself when it is on the filesystem, and on a mirror
    /// cloned from the server's Git endpoint whatever the store.
    func expectGitClean() async throws {
        try repository.flush()
        if let path = repository.path { try GitRunner.run(["fsck", "--strict"], in: path) }
        let mirror = directory.appending("mirror-\(UUID().uuidString).git")
        try await offPool { try GitRunner.run(["clone", "--mirror", "-q", "http://127.0.0.1:\(self.port)/", mirror]) }
        try GitRunner.run(["fsck", "--strict"], in: mirror)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// One request through AsyncHTTPClient.
    func request(_ method: String, _ path: String, body: Data? = nil, json: Any? = nil,
                 headers: [String: String] = [:]) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json { request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        var fields: [String: String] = [:]
        for header in response.headers { fields[header.name.lowercased()] = header.value }
        return Reply(status: Int(response.status.code), headers: fields, body: Data(bytes.readableBytesView))
    }
}
