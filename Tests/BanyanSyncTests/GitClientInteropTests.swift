import Banyan
import BanyanServer
import BanyanTestSupport
import Foundation
import Testing

/// Real `git` cloning, fetching and pushing against `banyan serve` in-process.
@Suite("Sync: git client against banyan serve", .serialized)
struct GitClientInteropTests {
    @Test(arguments: ["2", "0"])
    func gitClonesAndFetches(_ version: String) async throws {
        let dir = TemporaryDirectory()
        let repo = try makeStore(dir.appending("server"), commits: 12)
        _ = try repo.createBranch("dev")
        let server = try await TestServer.start(repo)
        defer { Task { await server.stop() } }
        let clone = dir.appending("clone")
        try await git(["-c", "protocol.version=\(version)", "clone", "-q", server.url, clone])
        #expect(try await git(["rev-parse", "HEAD"], in: clone).text == (try repo.branch("main").head())?.hex)
        #expect(try await git(["rev-list", "--count", "HEAD"], in: clone).text == "12")
        #expect(try await git(["branch", "-r"], in: clone).text.contains("origin/dev"))
        try await git(["fsck", "--strict"], in: clone)

        try repo.branch("main").set(key("later"), data("more"), message: "later", author: signature(1_800_000_000))
        try repo.flush()
        try await git(["-c", "protocol.version=\(version)", "fetch", "-q"], in: clone)
        #expect(try await git(["rev-parse", "origin/main"], in: clone).text == (try repo.branch("main").head())?.hex)
        #expect(try await git(["cat-file", "-p", "origin/main:later"], in: clone).text == "more")
        try await git(["fsck", "--strict"], in: clone)
        await server.stop()
    }

    @Test(arguments: ["2", "0"])
    func gitPushesNewCommitsBranchesAndDeletes(_ version: String) async throws {
        let dir = TemporaryDirectory()
        let repo = try makeStore(dir.appending("server"), commits: 3)
        let server = try await TestServer.start(repo)
        let clone = dir.appending("clone")
        let v = ["-c", "protocol.version=\(version)"]
        try await git(v + ["clone", "-q", server.url, clone])
        try "hello\n".write(toFile: clone + "/notes/n0", atomically: true, encoding: .utf8)
        try await git(["commit", "-qam", "edit from git"], in: clone)
        try await git(v + ["push", "-q", "origin", "main"], in: clone)
        #expect(try repo.branch("main").head()?.hex == (try await git(["rev-parse", "HEAD"], in: clone).text))
        #expect(String(decoding: try repo.branch("main").get(key("notes/n0")), as: UTF8.self) == "hello\n")

        try await git(v + ["push", "-q", "origin", "HEAD:refs/heads/feature"], in: clone)
        #expect(try repo.branch("feature").exists())
        try await git(v + ["push", "-q", "origin", "--delete", "feature"], in: clone)
        #expect(try !repo.branch("feature").exists())

        try await git(["reset", "-q", "--hard", "HEAD~2"], in: clone)
        try "other\n".write(toFile: clone + "/other", atomically: true, encoding: .utf8)
        try await git(["add", "other"], in: clone)
        try await git(["commit", "-qm", "diverge"], in: clone)
        let before = try repo.branch("main").head()
        let refused = try await git(v + ["push", "origin", "main"], in: clone, check: false)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("rejected"))
        #expect(try repo.branch("main").head() == before)
        let forced = try await git(v + ["push", "-f", "origin", "main"], in: clone, check: false)
        #expect(forced.stderr.contains("non-fast-forward"))
        #expect(try repo.branch("main").head() == before)
        try GitRunner.run(["fsck", "--strict"], in: dir.appending("server"))
        await server.stop()
    }

    @Test func tokenIsRequiredAndWrongTokenChangesNothing() async throws {
        let dir = TemporaryDirectory()
        let repo = try makeStore(dir.appending("server"), commits: 2)
        let server = try await TestServer.start(repo, token: "s3cret")
        let clone = dir.appending("clone")
        let anonymous = try await git(["clone", "-q", server.url, dir.appending("anon")], check: false)
        #expect(anonymous.status != 0)
        #expect(anonymous.stderr.contains("401") || anonymous.stderr.contains("Authentication failed")
            || anonymous.stderr.contains("could not read Username"))
        let wrong = try await git(["clone", "-q", server.url(token: "nope"), dir.appending("wrong")], check: false)
        #expect(wrong.status != 0)
        try await git(["clone", "-q", server.url(token: "s3cret"), clone])
        try "x\n".write(toFile: clone + "/x", atomically: true, encoding: .utf8)
        try await git(["add", "x"], in: clone)
        try await git(["commit", "-qm", "x"], in: clone)
        let before = try repo.branch("main").head()
        let denied = try await git(["push", "-q", server.url(token: "nope"), "main"], in: clone, check: false)
        #expect(denied.status != 0)
        #expect(try repo.branch("main").head() == before)
        try await git(["push", "-q", "origin", "main"], in: clone)
        #expect(try repo.branch("main").head()?.hex == (try await git(["rev-parse", "HEAD"], in: clone).text))
        await server.stop()
    }

    @Test func readOnlyServerRefusesPush() async throws {
        let dir = TemporaryDirectory()
        let repo = try makeStore(dir.appending("server"), commits: 2)
        let server = try await TestServer.start(repo, options: .init(readOnly: true))
        let clone = dir.appending("clone")
        try await git(["clone", "-q", server.url, clone])
        try await git(["commit", "-q", "--allow-empty", "-m", "e"], in: clone)
        let before = try repo.branch("main").head()
        let refused = try await git(["push", "origin", "main"], in: clone, check: false)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("403"))
        #expect(try repo.branch("main").head() == before)
        await server.stop()
    }

    @Test func gitShallowClone() async throws {
        let dir = TemporaryDirectory()
        let repo = try makeStore(dir.appending("server"), commits: 10)
        let server = try await TestServer.start(repo)
        let clone = dir.appending("clone")
        try await git(["clone", "-q", "--depth", "3", server.url, clone])
        #expect(try await git(["rev-list", "--count", "HEAD"], in: clone).text == "3")
        try await git(["fsck"], in: clone)
        try await git(["fetch", "-q", "--deepen", "2"], in: clone)
        #expect(try await git(["rev-list", "--count", "HEAD"], in: clone).text == "5")
        await server.stop()
    }
}
