import Banyan
import BanyanPostgres
import BanyanTestSupport
import Foundation
import Synchronization
import Testing

/// The CLI on stores in a PostgreSQL database (scripts/postgres-test-server.sh's server).
@Suite struct PostgresCLITests {
    @Test("init, set, get, ls and log work on a PostgreSQL store, through -C and --repo")
    func basicCommands() throws {
        let url = try PostgresTestServer.freshStoreURL("cli")
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
        let first = try PostgresTestServer.freshStoreURL("iso-a")
        let second = try PostgresTestServer.freshStoreURL("iso-b")
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
        let missing = try CLI.run(["get", "k", "-C", try PostgresTestServer.freshStoreURL("missing")])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("has no store named"), "\(missing.stderr)")
        let noStore = try CLI.run(["get", "k", "-C", try PostgresTestServer.url()])
        #expect(noStore.stderr.contains("?store=NAME"), "\(noStore.stderr)")
        let down = try CLI.run(["get", "k", "-C", "postgres://nobody@127.0.0.1:1/none?store=x"])
        #expect(down.status != 0)
        #expect(down.stderr.contains("cannot connect to PostgreSQL at 127.0.0.1:1/none"), "\(down.stderr)")
    }

    @Test("three banyan serve nodes on one PostgreSQL store: concurrent REST writes lose nothing, watchers and git clones see one store, a killed node loses nothing it acknowledged")
    func threeServeNodes() async throws {
        try await offPool(heavy: true) {
            let url = try PostgresTestServer.freshStoreURL("nodes")
            try CLI.ok(url, ["init"])
            let nodes = try (0..<3).map { _ in try ServeProcess(repo: url) }
            defer { for node in nodes { node.stop() } }

            // Each node takes 30 writes of its own keys while the others take theirs.
            let writes = 30
            let codes = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: nodes.count) { node in
                let result = try? ProcessRunner.run("/usr/bin/curl", [
                    "-s", "-o", "/dev/null", "-w", "%{http_code}\\n", "-X", "PUT", "--data-binary", "v\(node)",
                    nodes[node].url + "api/v1/kv/main/n\(node)/k[1-\(writes)]",
                ], check: false)
                codes.withLock { $0 += (result?.text ?? "").split(separator: "\n").map(String.init) }
            }
            let acknowledged = codes.withLock { $0 }
            #expect(acknowledged.count == nodes.count * writes && acknowledged.allSatisfy { $0 == "200" }, "\(acknowledged)")
            let keys = try CLI.ok(url, ["ls", "-r"]).split(separator: "\n")
            #expect(keys.count == nodes.count * writes, "acknowledged writes missing: \(keys.count) keys")
            for node in 0..<nodes.count {
                #expect(try CLI.ok(url, ["get", "n\(node)/k\(writes)"]) == "v\(node)")
            }

            // A write through node 2 reaches a watcher of node 0 (watching needs the branch to exist).
            let watched = TemporaryDirectory("banyan-pg-watch")
            let events = watched.appending("events")
            let watcher = Process()
            watcher.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            watcher.arguments = ["-s", "-N", "--max-time", "60", nodes[0].url + "api/v1/watch/main"]
            FileManager.default.createFile(atPath: events, contents: nil)
            watcher.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: events))
            try watcher.run()
            defer { watcher.terminate() }
            usleep(1_000_000)

            let clock = ContinuousClock()
            let start = clock.now
            try ProcessRunner.run("/usr/bin/curl", ["-sf", "-X", "PUT", "--data-binary", "seen", nodes[2].url + "api/v1/kv/main/watched"])
            var seen = false
            while !seen && clock.now - start < .seconds(10) {
                seen = ((try? String(contentsOfFile: events, encoding: .utf8)) ?? "").contains("watched")
                if !seen { usleep(10_000) }
            }
            #expect(seen, "node 0's watcher did not see the write through node 2")
            #expect(clock.now - start < .seconds(3), "the write took \(clock.now - start) to reach the watcher")

            // git clone from every node gives the same history; a git push through node 1 lands in the store.
            let clones = TemporaryDirectory("banyan-pg-git")
            var heads: [String] = []
            for (index, node) in nodes.enumerated() {
                let clone = clones.appending("clone-\(index)")
                try GitRunner.run(["clone", "-q", node.url, clone])
                heads.append(try GitRunner.run(["rev-parse", "HEAD"], in: clone).text)
            }
            #expect(Set(heads).count == 1, "the nodes serve different histories: \(heads)")
            let pusher = clones.appending("clone-1")
            try Data("pushed with git".utf8).write(to: URL(fileURLWithPath: pusher + "/pushed"))
            try GitRunner.run(["add", "pushed"], in: pusher)
            try GitRunner.run(["commit", "-q", "-m", "git push"], in: pusher)
            try GitRunner.run(["push", "-q", "origin", "HEAD:main"], in: pusher)
            #expect(try CLI.ok(url, ["get", "pushed"]) == "pushed with git")

            // Node 0 killed while it takes writes: every write it acknowledged is in the store.
            let killed = TemporaryDirectory("banyan-pg-kill")
            let statuses = killed.appending("statuses")
            FileManager.default.createFile(atPath: statuses, contents: nil)
            let writer = Process()
            writer.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            writer.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code} %{url_effective}\\n", "-X", "PUT",
                                "--data-binary", "kept", nodes[0].url + "api/v1/kv/main/killed/k[1-5000]"]
            writer.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: statuses))
            try writer.run()
            usleep(1_500_000)
            nodes[0].stop(SIGKILL)
            while writer.isRunning { usleep(10_000) }
            let taken = try String(contentsOfFile: statuses, encoding: .utf8).split(separator: "\n")
                .filter { $0.hasPrefix("200 ") }.compactMap { $0.split(separator: "/").last.map { "killed/" + $0 } }
            #expect(taken.count > 0, "node 0 acknowledged nothing before it was killed")
            #expect(taken.count < 5000, "node 0 took every write before it was killed")
            let stored = Set(try CLI.ok(url, ["ls", "killed"]).split(separator: "\n").map(String.init))
            let lost = taken.filter { !stored.contains($0) }
            #expect(lost.isEmpty, "acknowledged writes lost when node 0 was killed: \(lost)")
        }
    }

    @Test("clone and push move a store between the filesystem and PostgreSQL, both ways, with byte-identical objects")
    func moveInAndOut() throws {
        let dir = TemporaryDirectory("banyan-pg-move")
        let home = try homeStore(in: dir)

        // In: the filesystem store cloned into PostgreSQL (a password in the URL, which the test server does not ask for).
        let url = try PostgresTestServer.freshStoreURL("moved").replacingOccurrences(of: "@", with: ":secret@")
        let cloned = try CLI.run(["clone", home, url])
        #expect(cloned.status == 0, "\(cloned.stderr)")
        #expect(cloned.text.contains("into postgres://") && !cloned.text.contains("secret"), "\(cloned.text)")
        try expectSameObjects(home, url)

        // Back: work on PostgreSQL, pushed to the filesystem store it came from.
        try CLI.ok(url, ["set", "notes/pg", "from postgres", "-m", "pg"])
        try CLI.ok(url, ["push"])
        #expect(try CLI.ok(home, ["get", "notes/pg"]) == "from postgres")
        try GitRunner.run(["fsck", "--strict"], in: home)
        try expectSameObjects(home, url)

        // Out: the PostgreSQL store served and cloned to a new filesystem store, which git reads.
        let node = try ServeProcess(repo: url)
        defer { node.stop() }
        let out = dir.appending("out.git")
        let outCloned = try CLI.run(["clone", node.url, out])
        #expect(outCloned.status == 0, "\(outCloned.stderr)")
        try expectSameObjects(out, url)
        try GitRunner.run(["fsck", "--strict"], in: out)
        #expect(try GitRunner.run(["log", "--format=%s", "main"], in: out).text == "pg\nn2\nn1\nn0")
    }

    @Test("a PostgreSQL store is a remote URL of its own: push to it, clone, pull and fetch from it, with no server between")
    func aPostgresStoreIsARemoteURL() throws {
        let dir = TemporaryDirectory("banyan-pg-remote")
        let home = try homeStore(in: dir)
        let url = try PostgresTestServer.freshStoreURL("remote")
        try CLI.ok(url, ["init"])
        try CLI.ok(home, ["remote", "add", "cloud", url])
        let pushed = try CLI.run(["-C", home, "push", "cloud", "main"])
        #expect(pushed.status == 0 && pushed.text == "ok refs/heads/main", "\(pushed.stderr)")
        try expectSameObjects(home, url)

        // A clone names the new store after the URL's store.
        let cloned = try CLI.run(["clone", url], in: dir.path)
        #expect(cloned.status == 0, "\(cloned.stderr)")
        let clone = dir.appending(try PostgresLocation(url: url).store)
        try GitRunner.run(["fsck", "--strict"], in: clone)
        #expect(try GitRunner.run(["log", "--format=%s", "main"], in: clone).text == "n2\nn1\nn0")

        // A write in the PostgreSQL store reaches both by pull and fetch.
        try CLI.ok(url, ["set", "notes/cloud", "from the cloud", "-m", "cloud"])
        try CLI.ok(clone, ["pull"])
        #expect(try CLI.ok(clone, ["get", "notes/cloud"]) == "from the cloud")
        try CLI.ok(home, ["fetch", "cloud"])
        #expect(try CLI.ok(home, ["rev-parse", "cloud/main"]) == (try CLI.ok(url, ["rev-parse", "main"])))

        // A push that is not a fast-forward is refused; the store keeps its head.
        try CLI.ok(home, ["set", "notes/diverged", "x", "-m", "diverged"])
        let refused = try CLI.run(["-C", home, "push", "cloud", "main"])
        #expect(refused.status == 1 && refused.stderr.contains("rejected refs/heads/main"), "\(refused.stderr)")
        #expect(try CLI.ok(url, ["get", "notes/cloud"]) == "from the cloud")

        // A store the database does not hold is a clear error, and nothing is made.
        let missing = try PostgresTestServer.freshStoreURL("absent")
        let failed = try CLI.run(["clone", missing, dir.appending("absent.git")])
        #expect(failed.status == 2 && failed.stderr.contains("has no store named"), "\(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appending("absent.git")))
    }

    /// A filesystem store `home.git` in `dir` with three commits on `main` (messages n0, n1, n2).
    private func homeStore(in dir: TemporaryDirectory) throws -> String {
        let home = dir.appending("home.git")
        try CLI.ok(home, ["init"])
        for i in 0..<3 { try CLI.ok(home, ["set", "notes/n\(i)", "value \(i)", "-m", "n\(i)"]) }
        return home
    }

    /// Expects the filesystem store at `path` and the PostgreSQL store at `url` to hold the same objects, byte for byte.
    private func expectSameObjects(_ path: String, _ url: String) throws {
        let files = try Repository.open(at: path)
        let rows = try Repository.open(postgres: url)
        let ids = Set(try files.objects.allObjectIDs())
        #expect(ids == Set(try rows.objects.allObjectIDs()))
        for id in ids {
            #expect(try files.objects.get(id) == rows.objects.get(id), "object \(id) differs")
        }
    }
}
