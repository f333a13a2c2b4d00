import BanyanTestSupport
import Foundation
import Testing

/// The CLI on stores in a PostgreSQL database (scripts/postgres-test-server.sh's server).
@Suite struct PostgresCLITests {
    /// A store URL on the test server that no other test uses.
    private func storeURL(_ label: String) throws -> String {
        try PostgresTestServer.url() + "?store=\(label)-\(UUID().uuidString.lowercased())"
    }

    @Test("init, set, get, ls and log work on a PostgreSQL store, through -C and --repo")
    func basicCommands() throws {
        let url = try storeURL("cli")
        let created = try CLI.run(["init", url])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.text.contains("Initialized empty Banyan store"))
        try CLI.ok(url, ["set", "notes/a", "hello", "-m", "add a", "--author", "Ada <ada@example.com>"])
        try CLI.ok(url, ["set", "notes/b", "world", "-m", "add b"])
        #expect(try CLI.ok(url, ["get", "notes/a"]) == "hello")
        #expect(try CLI.run(["-C", url, "get", "notes/b"]).text == "world")
        #expect(try CLI.run(["get", "notes/b", "--repo", url]).text == "world")
        #expect(try CLI.ok(url, ["ls", "-r"]) == "notes/a\nnotes/b")
        let log = try CLI.ok(url, ["log"])
        #expect(log.contains("add b") && log.contains("add a") && log.contains("Ada <ada@example.com>"))
        #expect(log.range(of: "add b")!.lowerBound < log.range(of: "add a")!.lowerBound, "newest first: \(log)")
    }

    @Test("two stores in one database do not see each other; a store is created once")
    func storesAreIsolated() throws {
        let first = try storeURL("iso-a")
        let second = try storeURL("iso-b")
        for url in [first, second] { try CLI.ok(url, ["init"]) }
        try CLI.ok(first, ["set", "k", "from first"])
        try CLI.ok(second, ["set", "k", "from second"])
        try CLI.ok(second, ["set", "only/second", "x"])
        #expect(try CLI.ok(first, ["get", "k"]) == "from first")
        #expect(try CLI.ok(second, ["get", "k"]) == "from second")
        #expect(try CLI.ok(first, ["ls", "-r"]) == "k")
        #expect(try CLI.run(["get", "only/second", "-C", first]).status != 0)
        let again = try CLI.run(["init", first])
        #expect(again.status != 0)
        #expect(again.stderr.contains("already has a store"), "\(again.stderr)")
        #expect(try CLI.ok(first, ["get", "k"]) == "from first", "a refused init changed nothing")
    }

    @Test("a missing store or an unreachable server is a clear error")
    func clearErrors() throws {
        let missing = try CLI.run(["get", "k", "-C", try storeURL("missing")])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("has no store named"), "\(missing.stderr)")
        let noStore = try CLI.run(["get", "k", "-C", try PostgresTestServer.url()])
        #expect(noStore.stderr.contains("?store=NAME"), "\(noStore.stderr)")
        let down = try CLI.run(["get", "k", "-C", "postgres://nobody@127.0.0.1:1/none?store=x"])
        #expect(down.status != 0)
        #expect(down.stderr.contains("cannot connect to PostgreSQL at 127.0.0.1:1/none"), "\(down.stderr)")
    }
}
