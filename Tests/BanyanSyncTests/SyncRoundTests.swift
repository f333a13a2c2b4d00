import Banyan
import BanyanSync
import BanyanTestSupport
import Foundation
import Testing

/// `Sync.sync`: fetch, merge, push in one round, against a Banyan server (its
/// store on the filesystem or in PostgreSQL) and `git http-backend`.
@Suite("Sync: one round", .serialized)
struct SyncRoundTests {
    enum Server: String, CaseIterable, CustomTestStringConvertible {
        case banyanHTTP, gitHTTPBackend
        /// `banyan serve` on a PostgreSQL store, its devices' stores in PostgreSQL too.
        case banyanHTTPPostgres

        var testDescription: String { rawValue }

        /// Where the devices syncing with this server keep their stores.
        var devices: StoreBackend { self == .banyanHTTPPostgres ? .postgres : .memory }
    }

    /// Serves a new store with one commit; returns its URL, the store and a stop action.
    func serve(_ kind: Server, in dir: TemporaryDirectory) async throws -> (url: String, store: Repository, stop: @Sendable () async -> Void) {
        let path = dir.appending("server.git")
        switch kind {
        case .banyanHTTP:
            let store = try makeStore(path, commits: 1)
            let server = try await TestServer.start(store)
            return (server.url, store, { await server.stop() })
        case .banyanHTTPPostgres:
            let store = try StoreBackend.postgres.make()
            try commit(store, "notes/n0", "note 0", "commit 0", time: 1_700_000_000)
            let server = try await TestServer.start(store)
            return (server.url, store, { await server.stop() })
        case .gitHTTPBackend:
            let store = try makeStore(path, commits: 1)
            let backend = try GitHTTPBackend(root: dir.path)
            return (backend.url + "server.git", store, { backend.stop() })
        }
    }

    @Test(.timeLimit(.minutes(3)), arguments: Server.allCases)
    func pushFastForwardMergeAndNothingToDo(_ kind: Server) async throws {
        let dir = TemporaryDirectory()
        let (url, server, stop) = try await serve(kind, in: dir)
        let laptop = try await kind.devices.clone(url), phone = try await kind.devices.clone(url)

        try commit(laptop, "plan", "v2")
        let pushed = try await Sync(repository: laptop).sync(branches: ["main"])
        let laptopMain = try #require(pushed.branches.first)
        #expect(laptopMain.action == .upToDate && laptopMain.pushed && laptopMain.attempts == 1)
        #expect(try reopened(server).branch("main").head() == (try laptop.branch("main").head()))

        let pulled = try await Sync(repository: phone).sync(branches: ["main"])
        #expect(pulled.branches.first?.action == .fastForwarded && pulled.branches.first?.pushed == false)
        #expect(try text(phone, "plan") == "v2")

        try commit(laptop, "plan", "v3")
        try commit(phone, "memo", "from the phone")
        _ = try await Sync(repository: laptop).sync(branches: ["main"])
        let merged = try await Sync(repository: phone).sync(branches: ["main"])
        #expect(merged.branches.first?.action == .merged && merged.branches.first?.pushed == true)
        #expect(try text(phone, "plan") == "v3" && text(phone, "memo") == "from the phone")
        let back = try await Sync(repository: laptop).sync(branches: ["main"])
        #expect(back.branches.first?.action == .fastForwarded)
        #expect(try laptop.branch("main").head() == (try phone.branch("main").head()))

        let again = try await Sync(repository: laptop).sync(branches: ["main"])
        #expect(again.isNothingToDo)
        #expect(try messages(laptop).filter { $0 == "set plan" }.count == 2, "a commit was duplicated")
        try await expectGitClean(server, servedAt: url)
        await stop()
    }

    /// `store` as another process would open it afresh (a store in
    /// PostgreSQL is read from the database whatever object reads it).
    func reopened(_ store: Repository) throws -> Repository {
        if let path = store.path { return try Repository.open(at: path) }
        return store
    }

    @Test func conflictsLeaveBothSidesAlone() async throws {
        let server = try Repository.inMemory()
        try commit(server, "title", "first")
        let remote = try await TestServer.start(server)
        let laptop = try await cloneInMemory(remote.url), phone = try await cloneInMemory(remote.url)
        try commit(laptop, "title", "laptop's")
        try commit(phone, "title", "phone's")
        _ = try await Sync(repository: laptop).sync(branches: ["main"])
        let serverHead = try server.branch("main").head()
        let phoneHead = try phone.branch("main").head()

        let outcome = try await Sync(repository: phone).sync(branches: ["main"])
        let main = try #require(outcome.branches.first)
        #expect(outcome.hasConflicts && main.action == .conflicts && !main.pushed)
        #expect(main.conflicts == [try Key("title")])
        #expect(try phone.branch("main").head() == phoneHead && server.branch("main").head() == serverHead)

        let resolved = try await Sync(repository: phone).sync(branches: ["main"], onConflict: .theirs)
        #expect(resolved.branches.first?.action == .merged && resolved.branches.first?.pushed == true)
        #expect(try text(phone, "title") == "laptop's")
        await remote.stop()
    }

    /// Another device pushes between this round's fetch and its push: the
    /// push is refused, the round fetches and merges again, then pushes.
    @Test func pushIsRetriedWhenTheRemoteMovedMeanwhile() async throws {
        let server = try Repository.inMemory()
        try commit(server, "seed", "1")
        let remote = try await TestServer.start(server)
        let backend = try MemoryBackend(hashAlgorithm: .sha1, initialBranch: "main")
        let refs = HookedRefs(backend)
        let laptop = Repository(objects: backend, refs: refs)
        try await Sync.clone(url: remote.url, into: laptop)
        try commit(server, "from", "another device", "before the round")
        try commit(laptop, "laptop", "yes", "laptop's change")
        refs.beforeNextUpdate(of: "refs/remotes/origin/main") {
            try commit(server, "meanwhile", "yes", "between fetch and push", time: 1_800_000_050)
        }

        let outcome = try await Sync(repository: laptop).sync(branches: ["main"])
        let main = try #require(outcome.branches.first)
        #expect(main.pushed && main.attempts == 2 && main.action == .merged && main.pushRefusal == nil)
        #expect(try server.branch("main").head() == (try laptop.branch("main").head()))
        #expect(try text(server, "meanwhile") == "yes" && text(server, "laptop") == "yes")

        refs.beforeNextUpdate(of: "refs/remotes/origin/main") {
            try commit(server, "again", "yes", "another race", time: 1_800_000_100)
        }
        try commit(server, "more", "1", "moves the remote", time: 1_800_000_090)
        try commit(laptop, "laptop", "twice", "laptop again", time: 1_800_000_095)
        let refused = try await Sync(repository: laptop).sync(branches: ["main"], attempts: 1)
        #expect(refused.hasRefusals && refused.branches.first?.pushed == false)
        await remote.stop()
    }

    @Test func aBranchOnlyOneSideHasIsCreatedOnTheOther() async throws {
        let server = try Repository.inMemory()
        try commit(server, "seed", "1")
        let remote = try await TestServer.start(server)
        let laptop = try await cloneInMemory(remote.url)
        let drafts = try laptop.createBranch("drafts")
        try drafts.set(try Key("draft"), Data("d".utf8), message: "draft", author: signature(1_800_000_000))
        let outcome = try await Sync(repository: laptop).sync(branches: ["main", "drafts"])
        #expect(outcome.branches.map(\.branch) == ["main", "drafts"])
        #expect(outcome.branches[1].pushed)
        #expect(try server.branch("drafts").head() == (try drafts.head()))

        let phone = try await cloneInMemory(remote.url)
        let fetched = try await Sync(repository: phone).sync(branches: ["drafts"])
        #expect(fetched.branches.first?.action == .fastForwarded)
        #expect(try phone.branch("drafts").head() == (try drafts.head()))
        await remote.stop()
    }

    @Test func badInputIsRefusedWithAClearError() async throws {
        let laptop = try Repository.inMemory()
        let sync = Sync(repository: laptop)
        let unknown = await #expect(throws: BanyanError.self) { try await sync.sync(remote: "nowhere", branches: ["main"]) }
        #expect(unknown?.description.contains("no remote named \"nowhere\"") == true)
        let attempts = await #expect(throws: BanyanError.self) { try await sync.sync(branches: ["main"], attempts: 0) }
        #expect(attempts?.description.contains("attempts must be at least 1") == true)
        let none = await #expect(throws: BanyanError.self) { try await sync.sync(branches: []) }
        #expect(none?.description.contains("name at least one branch") == true)
    }
}
