import BanyanTestSupport
import Foundation
import Testing

/// `banyan serve`, `clone`, `remote`, `fetch`, `pull` and `push` as a person runs them.
@Suite("Sync CLI", .serialized)
struct SyncCLITests {
    /// A store cloned by a relative path records it absolute, as git does:
    /// pushes and pulls work from any directory afterwards.
    @Test func aCloneOfARelativePathWorksFromAnywhere() throws {
        let dir = TemporaryDirectory()
        try CLI.ok(dir.appending("home.git"), ["init"])
        try CLI.ok(dir.appending("home.git"), ["set", "a", "1"])
        let cloned = try CLI.run(["clone", "home.git", "copy.git"], in: dir.path)
        #expect(cloned.status == 0, "\(cloned.stderr)")
        let copy = dir.appending("copy.git")
        let recorded = try GitRunner.run(["config", "remote.origin.url"], in: copy).text
        #expect(recorded == URL(fileURLWithPath: dir.appending("home.git")).standardizedFileURL.path)
        try CLI.ok(copy, ["set", "b", "2"])
        let pushed = try CLI.run(["-C", copy, "push"], in: "/")
        #expect(pushed.status == 0 && pushed.text == "ok refs/heads/main", "\(pushed.stderr)")
        #expect(try CLI.ok(dir.appending("home.git"), ["get", "b"]) == "2")
    }

    @Test func cloneEditPushPullThroughServe() throws {
        let dir = TemporaryDirectory()
        let server = dir.appending("server")
        try CLI.ok(server, ["init"])
        try CLI.ok(server, ["set", "config/name", "alpha", "-m", "first"])
        let serve = try ServeProcess(repo: server, arguments: ["--token", "tk"])
        defer { serve.stop(SIGKILL) }
        let url = serve.url
        let authed = url.replacingOccurrences(of: "http://", with: "http://me:tk@")

        let refused = try CLI.run(["clone", url, dir.appending("nope"), "--token", "bad"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("401"))

        let clone = dir.appending("clone")
        #expect(try CLI.run(["clone", authed, clone]).status == 0)
        #expect(try CLI.ok(clone, ["get", "config/name"]) == "alpha")
        #expect(try CLI.ok(clone, ["remote", "list", "-v"]) == "origin\t\(authed)")

        try CLI.ok(clone, ["set", "config/mode", "dark", "-m", "client"])
        #expect(try CLI.ok(clone, ["push"]) == "ok refs/heads/main")
        #expect(try CLI.ok(server, ["get", "config/mode"]) == "dark")

        try CLI.ok(server, ["set", "config/server", "yes", "-m", "server side"])
        try CLI.ok(clone, ["set", "config/client", "yes", "-m", "client side"])
        #expect(try CLI.ok(clone, ["pull"]).hasPrefix("merged: "))
        #expect(try CLI.ok(clone, ["get", "config/server"]) == "yes")
        #expect(try CLI.ok(clone, ["push"]) == "ok refs/heads/main")
        #expect(try CLI.ok(server, ["get", "config/client"]) == "yes")
        try GitRunner.run(["fsck", "--strict"], in: server)

        let git = dir.appending("git-clone")
        try GitRunner.run(["clone", "-q", authed, git])
        #expect(try String(contentsOfFile: git + "/config/client", encoding: .utf8) == "yes")
        #expect(try CLI.ok(clone, ["fetch"]).isEmpty)
    }
}
