import Banyan
import BanyanServer
import BanyanSync
import BanyanTestSupport
import Foundation
import Hummingbird

/// A `banyan serve` (Git endpoints and REST API) running in-process on an
/// ephemeral loopback port; `stop()` ends it.
final class TestServer: Sendable {
    let port: Int
    let task: Task<Void, any Error>

    var url: String { "http://127.0.0.1:\(port)/" }

    /// The URL with `user:token@` for git's basic auth.
    func url(token: String) -> String { "http://git:\(token)@127.0.0.1:\(port)/" }

    private init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    /// Serves `repository` on `port` (0: an ephemeral one; a port a stopped server used, to restart it).
    static func start(_ repository: Repository, token: String? = nil, options: GitService.Options = .init(),
                      port: Int = 0) async throws -> TestServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let builder = BanyanServerBuilder(
            repository: repository,
            configuration: .init(host: "127.0.0.1", port: port, token: token, git: options, logLevel: .critical))
        builder.addRESTAPI(repository: repository)
        let app = try builder.application { port in continuation.yield(port) }
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw BanyanError(.io, "server did not start") }
        return TestServer(port: port, task: task)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// Runs git off the cooperative pool.
@discardableResult
func git(_ args: [String], in directory: String? = nil, environment: [String: String] = [:], check: Bool = true) async throws -> GitRunner.Result {
    try await offPool {
        try GitRunner.run(args, in: directory, environment: environment.merging(["GIT_TERMINAL_PROMPT": "0"]) { $1 }, check: check)
    }
}

func key(_ text: String) -> Key { try! Key(text) }
func data(_ text: String) -> Data { Data(text.utf8) }
func signature(_ time: Int64) -> Signature { Signature(name: "Tester", email: "tester@example.com", time: time) }

/// A filesystem store with `commits` commits on `main`, each changing a few keys.
func makeStore(_ path: String, commits: Int, algorithm: HashAlgorithm = .sha1) throws -> Repository {
    // No background maintenance: the tests run `git gc` on it, which refuses to run while a repack holds gc.pid.
    let repo = try Repository.create(at: path, hashAlgorithm: algorithm, configuration: .init(maintenance: .off))
    let main = try repo.branch("main")
    for i in 0..<commits {
        try main.set(key("notes/n\(i % 7)"), data("note \(i)\n" + String(repeating: "line \(i % 5)\n", count: 40)),
                     message: "commit \(i)", author: signature(1_700_000_000 + Int64(i)))
    }
    // Some tests serve the store with git http-backend: seal the append pack.
    try repo.flush()
    return repo
}
