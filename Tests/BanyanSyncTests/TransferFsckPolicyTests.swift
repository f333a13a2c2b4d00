import Banyan
import BanyanSync
import BanyanTestSupport
import Foundation
import Synchronization
import Testing

/// Which of Git's fsck findings refuse a transfer: fetched objects are
/// checked at Git's own severities (errors refuse, warnings are reported),
/// pushed ones strictly; `transfer.fsckObjects`, `fetch.fsck.<msg-id>`,
/// `receive.fsck.<msg-id>` and `*.fsckObjects` false change that as in Git.
@Suite("Sync: fsck policy of fetched and pushed objects")
struct TransferFsckPolicyTests {
    /// A bare git repository whose `main` holds a tree with a `.git`
    /// directory entry, which `git clone` takes and `git fsck` warns about.
    func makeOrigin(_ path: String) throws -> (commit: ObjectID, tree: ObjectID) {
        try GitRunner.run(["init", "--bare", "-q", "-b", "main", path])
        let blob = try GitRunner.run(["hash-object", "-w", "--stdin"], in: path, input: Data("x\n".utf8)).text
        let inner = try GitRunner.run(["mktree"], in: path, input: Data("100644 blob \(blob)\tconfig\n".utf8)).text
        var body = Data("40000 .git\0".utf8)
        body.append(contentsOf: try #require(ObjectID(hex: inner)).bytes)
        let tree = try GitRunner.run(["hash-object", "--literally", "-t", "tree", "-w", "--stdin"], in: path, input: body).text
        let commit = try GitRunner.run(["commit-tree", tree, "-m", "odd"], in: path).text
        try GitRunner.run(["update-ref", "refs/heads/main", commit], in: path)
        return (try #require(ObjectID(hex: commit)), try #require(ObjectID(hex: tree)))
    }

    @Test(.timeLimit(.minutes(3)))
    func fetchTakesWhatGitOnlyWarnsAboutAndReportsIt() async throws {
        let dir = TemporaryDirectory()
        let origin = try makeOrigin(dir.appending("origin.git"))
        let backend = try GitHTTPBackend(root: dir.path)
        defer { backend.stop() }
        let seen = Mutex<[FsckFinding]>([])
        let clone = try await Sync.clone(url: backend.url + "origin.git", to: dir.appending("clone"),
                                         warning: { finding in seen.withLock { $0.append(finding) } })
        #expect(try clone.branch("main").head() == origin.commit)
        let warnings = seen.withLock { $0 }
        #expect(warnings.map(\.transferDescription) == ["warning: object \(origin.tree): hasDotgit: contains '.git'"])
        #expect(warnings.allSatisfy { !$0.isError })
    }

    @Test(.timeLimit(.minutes(3)))
    func configMakesFetchStrictOrSilent() async throws {
        let dir = TemporaryDirectory()
        let origin = try makeOrigin(dir.appending("origin.git"))
        let backend = try GitHTTPBackend(root: dir.path)
        defer { backend.stop() }
        let path = dir.appending("local")
        let local = try Repository.create(at: path)
        try Remotes.add(Remote(name: "origin", url: backend.url + "origin.git"), to: local)

        // As in git, transfer.fsckObjects=true checks strictly: the warning refuses the pack.
        try GitRunner.run(["config", "transfer.fsckObjects", "true"], in: path)
        let error = await #expect(throws: BanyanError.self) { try await Sync(repository: local).fetch() }
        #expect(error?.message.contains("error in tree \(origin.tree): hasDotgit: contains '.git'") == true, "\(error?.message ?? "")")
        #expect(try local.refs.find("refs/remotes/origin/main") == nil)
        #expect(try !local.objects.contains(origin.tree))

        // A value git does not know is named.
        try GitRunner.run(["config", "fetch.fsck.hasDotgit", "sometimes"], in: path)
        let bad = await #expect(throws: BanyanError.self) { try await Sync(repository: Repository.open(at: path)).fetch() }
        #expect(bad?.message.contains("fetch.fsck.hasDotgit") == true, "\(bad?.message ?? "")")

        // fetch.fsck.<msg-id> wins over strictness.
        try GitRunner.run(["config", "fetch.fsck.hasDotgit", "ignore"], in: path)
        let summary = try await Sync(repository: Repository.open(at: path)).fetch()
        #expect(summary.result.warnings.isEmpty)
        #expect(summary.updated["refs/remotes/origin/main"] == origin.commit)
        try GitRunner.run(["fsck", "--no-dangling"], in: path)

    }

    @Test func pushIsCheckedStrictlyUnlessConfigSaysOtherwise() async throws {
        let dir = TemporaryDirectory()
        let origin = try makeOrigin(dir.appending("origin.git"))
        let client = try Repository.open(at: dir.appending("origin.git"))
        let serverPath = dir.appending("server")
        let server = try Repository.create(at: serverPath)
        let push = GitClient(transport: LocalTransport(repository: server), repository: client)
        let update = RefUpdate(name: "refs/heads/odd", new: origin.commit)

        let error = await #expect(throws: BanyanError.self) { try await push.push([update]) }
        #expect(error?.message.contains("hasDotgit") == true, "\(error?.message ?? "")")
        #expect(try server.refs.find("refs/heads/odd") == nil)

        try GitRunner.run(["config", "receive.fsck.hasDotgit", "warn"], in: serverPath)
        let result = try await push.push([update])
        #expect(result.succeeded, "\(result.statuses)")
        #expect(try server.refs.resolve("refs/heads/odd") == origin.commit)
    }

    @Test func aGitmodulesThatWouldRunACommandIsRefused() throws {
        let repository = try Repository.inMemory()
        let modules = RawObject(kind: .blob, body: Array("[submodule \"s\"]\n\tpath = s\n\tupdate = !touch /tmp/owned\n".utf8))
        let tree = Tree(entries: [TreeEntry(name: ".gitmodules", mode: .regular, id: modules.id(.sha1))]).rawObject
        let pack = try PackWriter.write([modules, tree], algorithm: .sha1).pack
        let error = #expect(throws: BanyanError.self) { try PackIngest.ingest(pack, into: repository) }
        #expect(error?.message.contains("gitmodulesUpdate: disallowed submodule update setting: !touch /tmp/owned") == true,
                "\(error?.message ?? "")")
        #expect(try !repository.objects.contains(tree.id(.sha1)))
    }

    @Test func uncheckedIngestStillRefusesWhatCannotBeDemoted() throws {
        let repository = try Repository.inMemory()
        let commit = RawObject(kind: .commit, body: Array("tree \(ObjectID.zero(.sha1))\nauthor A\0 <a> 0 +0000\n\n".utf8))
        let zeroPadded = RawObject(kind: .tree, body: Array("040000 a\0".utf8) + RawObject(kind: .tree, body: []).id(.sha1).bytes)
        let pack = try PackWriter.write([zeroPadded], algorithm: .sha1).pack
        #expect(throws: BanyanError.self) { try PackIngest.ingest(pack, into: repository, policy: FsckPolicy(strict: true)) }
        let received = try PackIngest.ingest(pack, into: repository, policy: nil)
        #expect(received.warnings.isEmpty)
        let nul = try PackWriter.write([commit], algorithm: .sha1).pack
        let error = #expect(throws: BanyanError.self) { try PackIngest.ingest(nul, into: repository, policy: nil) }
        #expect(error?.message.contains("nulInHeader") == true, "\(error?.message ?? "")")
    }
}
