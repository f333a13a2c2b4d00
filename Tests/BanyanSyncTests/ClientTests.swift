import Banyan
import BanyanSync
import BanyanTestSupport
import Foundation
import Testing

/// Banyan's client against a Banyan server (HTTP and local path) and against `git http-backend`.
@Suite("Sync: Banyan client", .serialized)
struct ClientTests {
    enum Server { case banyanHTTP, local, gitHTTPBackend, gitHTTPBackendV0 }

    /// Serves a bare repository at `path` in the given way; returns its URL and a stop action.
    func serve(_ kind: Server, path: String, root: String) async throws -> (url: String, stop: @Sendable () async -> Void) {
        switch kind {
        case .local: return (path, {})
        case .banyanHTTP:
            let server = try await TestServer.start(try Repository.open(at: path))
            return (server.url, { await server.stop() })
        case .gitHTTPBackend, .gitHTTPBackendV0:
            let backend = try GitHTTPBackend(root: root, version2: kind == .gitHTTPBackend)
            return (backend.url + (path as NSString).lastPathComponent, { backend.stop() })
        }
    }

    @Test(.timeLimit(.minutes(3)), arguments: [Server.gitHTTPBackend, .gitHTTPBackendV0, .banyanHTTP, .local])
    func cloneFetchPushRoundTrip(_ kind: Server) async throws {
        let dir = TemporaryDirectory()
        let serverPath = dir.appending("server.git")
        let origin = try makeStore(serverPath, commits: 20)
        _ = try origin.createBranch("dev")
        let (url, stop) = try await serve(kind, path: serverPath, root: dir.path)

        let clone = try await Sync.clone(url: url, to: dir.appending("clone"))
        #expect(try clone.branch("main").head() == (try origin.branch("main").head()))
        #expect(try clone.refs.resolve("refs/remotes/origin/dev") == (try origin.branch("dev").head()))
        #expect(try clone.currentBranch().name == "main")
        try GitRunner.run(["fsck", "--strict"], in: dir.appending("clone"))

        // An up-to-date fetch transfers nothing.
        let sync = Sync(repository: clone)
        let again = try await sync.fetch()
        #expect(again.result.packBytes == 0)
        #expect(again.updated.isEmpty)

        // Incremental fetch: only the new commit's objects.
        let originMain = try Repository.open(at: serverPath).branch("main")
        try originMain.set(key("fresh"), data("new value"), message: "fresh", author: signature(1_800_000_000))
        try originMain.repository.flush()
        let incremental = try await sync.fetch()
        #expect(incremental.updated["refs/remotes/origin/main"] == (try originMain.head()))
        #expect(incremental.result.objects.count == 3)

        // Push a new commit on top; the server moves.
        let local = try clone.branch("main")
        _ = try local.reset(to: try #require(try clone.refs.resolve("refs/remotes/origin/main")))
        try local.set(key("from-client"), data("pushed"), message: "push me", author: signature(1_800_000_100))
        let pushed = try await sync.push(branch: "main")
        #expect(pushed.succeeded)
        #expect(try Repository.open(at: serverPath).branch("main").head() == (try local.head()))
        try GitRunner.run(["fsck", "--strict"], in: serverPath)

        // A push that is not a fast-forward is refused and changes nothing.
        try originMain.set(key("race"), data("server side"), message: "race", author: signature(1_800_000_200))
        try originMain.repository.flush()
        let serverHead = try originMain.head()
        try local.set(key("other"), data("client side"), message: "diverge", author: signature(1_800_000_300))
        let refused = try await sync.push(branch: "main")
        #expect(!refused.succeeded)
        #expect(try Repository.open(at: serverPath).branch("main").head() == serverHead)
        await stop()
    }

    @Test func shallowCloneRecordsShallowCommits() async throws {
        let dir = TemporaryDirectory()
        let serverPath = dir.appending("server.git")
        _ = try makeStore(serverPath, commits: 10)
        let server = try await TestServer.start(try Repository.open(at: serverPath))
        let clone = try await Sync.clone(url: server.url, to: dir.appending("clone"), depth: 2)
        #expect(try GitRunner.run(["rev-list", "--count", "main"], in: dir.appending("clone")).text == "2")
        try GitRunner.run(["fsck"], in: dir.appending("clone"))
        #expect(try clone.branch("main").head() != nil)
        await server.stop()
    }
}
