import Banyan
import BanyanSync
import BanyanTestSupport
import Foundation
import Testing

/// receive-pack rules through `GitClient.push` over a local transport.
@Suite("Sync: receive-pack rules")
struct ReceivePackTests {
    /// A server with `main` at one commit and a client holding the same history.
    func pair(options: GitService.Options = .init()) async throws -> (server: Repository, client: Repository, push: GitClient) {
        let server = try Repository.inMemory()
        try server.branch("main").set(key("a"), data("1"), message: "one", author: signature(1))
        let client = try Repository.inMemory()
        let fetcher = GitClient(transport: LocalTransport(repository: server), repository: client)
        let refs = try await fetcher.listRefs()
        _ = try await fetcher.fetch(wants: refs.refs.map(\.id))
        _ = try client.branch("main").reset(to: try #require(refs.find("refs/heads/main")?.id))
        return (server, client, GitClient(transport: LocalTransport(repository: server, options: options), repository: client))
    }

    @Test func atomicPushMovesAllRefsOrNone() async throws {
        let (server, client, push) = try await pair()
        let main = try client.branch("main")
        try main.set(key("b"), data("2"), message: "two", author: signature(2))
        let head = try #require(try main.head())
        try server.branch("side").set(key("s"), data("s"), message: "side", author: signature(3))
        // refs/heads/side exists on the server, so creating it from the client is stale.
        let result = try await push.push([RefUpdate(name: "refs/heads/main", new: head),
                                          RefUpdate(name: "refs/heads/side", new: head, force: true)], atomic: true)
        #expect(!result.succeeded)
        #expect(try server.branch("main").head() != head)

        let ok = try await push.push([RefUpdate(name: "refs/heads/main", new: head),
                                      RefUpdate(name: "refs/heads/copy", new: head)], atomic: true)
        #expect(ok.succeeded)
        #expect(try server.branch("main").head() == head)
        #expect(try server.branch("copy").head() == head)
    }

    @Test func forcedPushNeedsTheServersConsent() async throws {
        let (server, client, strict) = try await pair()
        let main = try client.branch("main")
        _ = try main.reset(to: try client.resolve("main"))
        let rewritten = try main.transaction(message: "rewrite", author: signature(9)) { $0.set(key("a"), data("other")) }
        let orphan = try client.objects.put(Commit(
            tree: try client.commit(try #require(rewritten)).tree, parents: [], author: signature(10),
            committer: signature(10), message: "orphan\n").rawObject)
        let refused = try await strict.push([RefUpdate(name: "refs/heads/main", new: orphan, force: true)])
        #expect(refused.statuses["refs/heads/main"] == .some("non-fast-forward"))
        let lenient = GitClient(transport: LocalTransport(repository: server, options: .init(allowNonFastForward: true)),
                                repository: client)
        let forced = try await lenient.push([RefUpdate(name: "refs/heads/main", new: orphan, force: true)])
        #expect(forced.succeeded)
        #expect(try server.branch("main").head() == orphan)
        #expect(try server.fsck().isEmpty)
    }

    @Test func secondFetchOfAnUpToDateRepositorySendsNoRequest() async throws {
        let (server, client, _) = try await pair()
        let fetcher = GitClient(transport: LocalTransport(repository: server), repository: client)
        let refs = try await fetcher.listRefs()
        let again = try await fetcher.fetch(wants: refs.refs.map(\.id))
        #expect(again.rounds == 0 && again.packBytes == 0)
    }
}
