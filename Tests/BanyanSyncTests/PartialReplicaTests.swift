import Banyan
import BanyanServer
import BanyanSync
import BanyanTestSupport
import Foundation
import Testing

/// Partial replicas: `banyan serve` filtering for real git's partial
/// clones, and Banyan's own partial replicas of banyan serve, git
/// http-backend and a path.
@Suite("Sync: partial replicas", .serialized)
struct PartialReplicaTests {
    /// A store with notes, settings and a big value outside both, over three commits.
    static func makeOrigin(_ path: String) throws -> Repository {
        let repo = try Repository.create(at: path, configuration: .init(maintenance: .off))
        let main = try repo.branch("main")
        try main.set(key("notes/a"), data("note a"), message: "a", author: signature(1_700_000_000))
        try main.set(key("settings/theme"), data("dark"), message: "theme", author: signature(1_700_000_001))
        try main.set(key("archive/big"), data(String(repeating: "big value\n", count: 200)), message: "big",
                     author: signature(1_700_000_002))
        try main.set(key("archive/2024/old"), data("old"), message: "old", author: signature(1_700_000_003))
        try repo.flush()
        return repo
    }

    /// The ids of the objects `git rev-list --objects --missing=print` finds missing in `repo`.
    static func gitMissing(_ repo: String) async throws -> [String] {
        try await git(["rev-list", "--objects", "--missing=print", "--all"], in: repo).text
            .split(separator: "\n").filter { $0.hasPrefix("?") }.map { String($0.dropFirst()) }
    }

    @Test(arguments: ["2", "0"])
    func gitPartialCloneOfBanyanServeFetchesMissingBlobsLazily(_ version: String) async throws {
        let dir = TemporaryDirectory()
        let origin = try Self.makeOrigin(dir.appending("server"))
        let server = try await TestServer.start(origin)
        let clone = dir.appending("clone.git")
        try await git(["-c", "protocol.version=\(version)", "clone", "-q", "--bare", "--filter=blob:none", server.url, clone])
        #expect(try await git(["rev-parse", "HEAD"], in: clone).text == (try origin.branch("main").head())?.hex)
        #expect(try await git(["config", "remote.origin.promisor"], in: clone).text == "true")
        #expect(try await git(["rev-list", "--count", "HEAD"], in: clone).text == "4")
        #expect(try await Self.gitMissing(clone).count == 4)
        try await git(["fsck"], in: clone)

        // git's own lazy fetch: a want of the blob by id.
        let big = try await git(["-c", "protocol.version=\(version)", "cat-file", "-p", "HEAD:archive/big"], in: clone).text
        #expect(big.hasPrefix("big value"))
        #expect(try await Self.gitMissing(clone).count == 3)
        try await git(["fsck"], in: clone)
        await server.stop()
    }

    @Test func gitCloneWithSizeAndTreeFilters() async throws {
        let dir = TemporaryDirectory()
        let origin = try Self.makeOrigin(dir.appending("server"))
        let server = try await TestServer.start(origin)
        let limited = dir.appending("limited.git")
        try await git(["clone", "-q", "--bare", "--filter=blob:limit=100", server.url, limited])
        let head = try origin.branch("main").snapshot()
        let bigID = try #require(try head.entry(at: key("archive/big"))).id
        #expect(try await Self.gitMissing(limited) == [bigID.hex])
        try await git(["fsck"], in: limited)

        let commitsOnly = dir.appending("commits.git")
        try await git(["clone", "-q", "--bare", "--filter=tree:0", server.url, commitsOnly])
        #expect(try await git(["rev-list", "--count", "HEAD"], in: commitsOnly).text == "4")
        #expect(try await git(["cat-file", "-p", "HEAD:notes/a"], in: commitsOnly).text == "note a")
        try await git(["fsck"], in: commitsOnly)

        // A sparse filter whose patterns are a blob of the server's, named by a revision.
        _ = try origin.createBranch("spec")
        try origin.branch("spec").set(key("sparse/notes-only"), data("/notes/\n"), message: "spec", author: signature(1_700_000_009))
        try origin.flush()
        let sparse = dir.appending("sparse.git")
        try await git(["clone", "-q", "--bare", "--filter=sparse:oid=spec:sparse/notes-only", server.url, sparse])
        let missing = Set(try await Self.gitMissing(sparse))
        #expect(!missing.contains(try #require(try head.entry(at: key("notes/a"))).id.hex))
        #expect(missing.contains(try #require(try head.entry(at: key("settings/theme"))).id.hex))
        #expect(missing.contains(bigID.hex))
        try await git(["fsck"], in: sparse)

        let checkout = dir.appending("checkout")
        try await git(["clone", "-q", "--filter=blob:none", server.url, checkout])
        #expect(try String(contentsOfFile: checkout + "/settings/theme", encoding: .utf8) == "dark")
        await server.stop()
    }

    @Test func serverRefusesABadFilterSpec() throws {
        let repo = try Repository.inMemory()
        let head = try repo.branch("main").set(key("k"), data("v"), message: "m", author: signature(1))
        var writer = PktLineWriter()
        try writer.line("command=fetch")
        writer.delim()
        try writer.line("want \(head)")
        try writer.line("filter blob:bogus")
        try writer.line("done")
        writer.flush()
        let response = try GitService(repository: repo).uploadPack(body: writer.bytes, gitProtocol: "version=2")
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(text.contains("ERR invalid filter-spec \"blob:bogus\""))
        #expect(throws: BanyanError.self) { try ObjectFilter(parsing: "tree:-1") }
        #expect(throws: BanyanError.self) { try ObjectFilter(parsing: "sparse:path=/etc/passwd") }
        #expect(try ObjectFilter(parsing: "sparse:oid=main:.sparse") == .sparse("main:.sparse"))
        #expect(try ObjectFilter(parsing: "blob:limit=2k") == .blobLimit(2048))
        let combined = try ObjectFilter(parsing: "combine:blob:none+tree:3")
        #expect(combined == .combine([.blobNone, .treeDepth(3)]))
        #expect(try ObjectFilter(parsing: combined.description) == combined)
    }

    enum Server: String, CaseIterable { case banyan, gitHTTPBackend, path }

    /// Serves the bare repository at `path`; returns its URL and a stop action.
    func serve(_ kind: Server, path: String, root: String) async throws -> (url: String, stop: @Sendable () async -> Void) {
        switch kind {
        case .path: return (path, {})
        case .banyan:
            let server = try await TestServer.start(try Repository.open(at: path))
            return (server.url, { await server.stop() })
        case .gitHTTPBackend:
            try GitRunner.run(["config", "uploadpack.allowFilter", "true"], in: path)
            try GitRunner.run(["config", "uploadpack.allowAnySHA1InWant", "true"], in: path)
            let backend = try GitHTTPBackend(root: root)
            return (backend.url + (path as NSString).lastPathComponent, { backend.stop() })
        }
    }

    @Test(.timeLimit(.minutes(3)), arguments: Server.allCases)
    func partialReplicaKeepsPrefixesAndFetchesTheRestWhenRead(_ kind: Server) async throws {
        let dir = TemporaryDirectory()
        let serverPath = dir.appending("server.git")
        let origin = try Self.makeOrigin(serverPath)
        var (url, stop) = try await serve(kind, path: serverPath, root: dir.path)
        let path = dir.appending("phone")
        let partial = try PartialReplica(prefixes: ["notes/", "settings/theme"])
        let phone = try await Sync.clone(url: url, to: path, partial: partial)

        // The same commits as the full store; the values under the prefixes, no others.
        #expect(try phone.branch("main").head() == origin.branch("main").head())
        let head = try origin.branch("main").snapshot()
        let id = { (name: String) in try #require(try head.entry(at: key(name))).id }
        #expect(try phone.objects.contains(id("notes/a")))
        #expect(try phone.objects.contains(id("settings/theme")))
        #expect(try !phone.objects.contains(id("archive/big")))
        #expect(try !phone.objects.contains(id("archive/2024/old")))
        let config = try phone.loadConfig()
        #expect(config.value(forKey: "extensions.partialclone") == "origin")
        #expect(config.value(forKey: "core.repositoryformatversion") == "1")
        #expect(config.value(forKey: "remote.origin.partialclonefilter") == "blob:none")
        #expect(config.values(forKey: "remote.origin.banyanprefix") == ["notes/", "settings/theme"])
        let packs = try FileManager.default.contentsOfDirectory(atPath: path + "/objects/pack")
        #expect(packs.contains { $0.hasSuffix(".promisor") })
        try await git(["fsck"], in: path)
        #expect(try phone.fsck().isEmpty)

        // Online: a value outside the prefixes is fetched when read.
        let sync = Sync(repository: phone)
        try sync.enableLazyFetch()
        // Off the cooperative pool: the read blocks its thread, and the in-process server needs the pool.
        #expect(try await offPool { try phone.branch("main").get(key("archive/2024/old")) } == data("old"))
        #expect(try phone.objects.contains(id("archive/2024/old")))

        // A local commit pushes (the remote lacks only the new objects), and fetch keeps the prefixes.
        try phone.branch("main").set(key("notes/b"), data("from the phone"), message: "phone", author: signature(1_700_000_100))
        #expect(try await sync.push(branch: "main").statuses["refs/heads/main"] == .some(nil))
        let reopened = try Repository.open(at: serverPath)
        #expect(try reopened.branch("main").get(key("notes/b")) == data("from the phone"))
        try reopened.branch("main").set(key("notes/c"), data("from the server"), message: "c", author: signature(1_700_000_200))
        try reopened.branch("main").set(key("archive/new"), data("new"), message: "new", author: signature(1_700_000_300))
        try reopened.flush()
        _ = try await sync.pull(branch: "main")
        #expect(try phone.branch("main").head() == reopened.branch("main").head())
        let later = try reopened.branch("main").snapshot()
        #expect(try phone.objects.contains(#require(try later.entry(at: key("notes/c"))).id))
        #expect(try !phone.objects.contains(#require(try later.entry(at: key("archive/new"))).id))
        try await git(["fsck"], in: path)
        try await git(["fsck"], in: serverPath)

        // Offline: the prefixes read, the rest fails naming the key and the remote.
        await stop()
        if kind == .path { try FileManager.default.moveItem(atPath: serverPath, toPath: serverPath + ".away") }
        #expect(try phone.branch("main").get(key("notes/c")) == data("from the server"))
        let error = #expect(throws: BanyanError.self) { try phone.branch("main").get(key("archive/big")) }
        #expect(error?.code == .objectNotFound)
        #expect(error?.message.contains("'archive/big'") == true)
        #expect(error?.message.contains("remote origin (\(url))") == true)
        stop = {}
        await stop()
    }

    @Test func pullFetchesWhatItsMergeReadsOutsideThePrefixesAndGCKeepsPromisorPacks() async throws {
        let dir = TemporaryDirectory()
        let origin = try Self.makeOrigin(dir.appending("server"))
        let server = try await TestServer.start(origin)
        let phone = try await Sync.clone(url: server.url, to: dir.appending("phone"), partial: try PartialReplica(prefixes: ["notes/"]))
        let sync = Sync(repository: phone)
        try sync.enableLazyFetch()
        let lines = String(repeating: "big value\n", count: 200)
        try origin.branch("main").set(key("archive/big"), data("server's first line\n" + lines.dropFirst(10)), message: "server",
                                      author: signature(1_700_000_100))
        try phone.branch("main").set(key("archive/big"), data(lines.dropLast(10) + "phone's last line\n"), message: "phone",
                                     author: signature(1_700_000_200))
        // The three-way text merge reads the base and the server's version, which the phone never had:
        // the fetch brings them, so the merge reads nothing from the network.
        sync.repository.setMissingObjectFetcher(nil)
        guard case .merged = try await sync.pull(branch: "main") else {
            Issue.record("expected a merge commit")
            return
        }
        let merged = String(decoding: try phone.branch("main").get(key("archive/big")), as: UTF8.self)
        #expect(merged.hasPrefix("server's first line\n"))
        #expect(merged.hasSuffix("phone's last line\n"))
        try await git(["fsck"], in: dir.appending("phone"))

        // gc packs the local objects and leaves the promisor packs as they came.
        let packs = dir.appending("phone/objects/pack")
        let promisors = { try FileManager.default.contentsOfDirectory(atPath: packs).filter { $0.hasSuffix(".promisor") }.sorted() }
        let before = try promisors()
        _ = try phone.gc(pruneBefore: Date())
        #expect(try promisors() == before)
        for promisor in before {
            #expect(FileManager.default.fileExists(atPath: packs + "/" + promisor.replacingOccurrences(of: ".promisor", with: ".pack")))
        }
        try await git(["fsck", "--strict"], in: dir.appending("phone"))
        #expect(try phone.fsck().isEmpty)
        await server.stop()
    }

    @Test(arguments: [Server.banyan, .gitHTTPBackend])
    func treeFilteredReplicaFetchesTheTreesToItsPrefixesThenTheRestWhenRead(_ kind: Server) async throws {
        let dir = TemporaryDirectory()
        let serverPath = dir.appending("server.git")
        let origin = try Self.makeOrigin(serverPath)
        let (url, stop) = try await serve(kind, path: serverPath, root: dir.path)
        let path = dir.appending("watch")
        let watch = try await Sync.clone(url: url, to: path, partial: try PartialReplica(prefixes: ["archive/2024/"], filter: .treeDepth(0)))
        #expect(try watch.branch("main").head() == origin.branch("main").head())
        let head = try origin.branch("main").snapshot()
        let id = { (name: String) in try #require(try head.entry(at: key(name))).id }
        #expect(try watch.objects.contains(id("archive/2024/old")))
        #expect(try !watch.objects.contains(id("notes/a")))
        #expect(try !watch.objects.contains(id("settings/theme")))
        #expect(try watch.loadConfig().value(forKey: "remote.origin.partialclonefilter") == "tree:0")
        try await git(["fsck"], in: path)

        try Sync(repository: watch).enableLazyFetch()
        #expect(try await offPool { try watch.branch("main").get(key("settings/theme")) } == data("dark"))
        try await git(["fsck"], in: path)
        await stop()
    }

    @Test func partialCloneFromAServerWithoutFilterIsRefused() async throws {
        let dir = TemporaryDirectory()
        let serverPath = dir.appending("server.git")
        _ = try Self.makeOrigin(serverPath)
        let backend = try GitHTTPBackend(root: dir.path)
        defer { backend.stop() }
        let error = await #expect(throws: BanyanError.self) {
            _ = try await Sync.clone(url: backend.url + "server.git", to: dir.appending("phone"),
                                     partial: try PartialReplica(prefixes: ["notes/"]))
        }
        #expect(error?.code == .unsupported)
        #expect(error?.message.contains("uploadpack.allowFilter") == true)
        #expect(!FileManager.default.fileExists(atPath: dir.appending("phone")))
    }
}
