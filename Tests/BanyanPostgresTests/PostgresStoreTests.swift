import Banyan
import BanyanTestSupport
@testable import BanyanPostgres
import Foundation
import Synchronization
import Testing

@Suite struct PostgresStoreTests {
    @Test("stores in one database are isolated: refs, objects, reflogs and configuration")
    func storesAreIsolated() throws {
        let first = try PostgresBackend.create(try TestDatabase.freshLocation("iso"))
        let second = try PostgresBackend.create(try TestDatabase.freshLocation("iso"))
        let blob = RawObject(kind: .blob, body: Array("only in the first".utf8))
        let id = try first.put(blob)
        let signature = Signature(name: "A", email: "a@example.com", time: 1_700_000_000, timeZoneMinutes: 0)
        try first.compareAndSwap("refs/heads/main", expected: .absent, new: id,
                                 log: ReflogEntry(old: id, new: id, committer: signature, message: "first"))
        try first.updateConfig { try $0.set("x", forKey: "banyan.test") }

        #expect(try !second.contains(id))
        #expect(try second.find(id) == nil)
        #expect(try second.find("refs/heads/main") == nil)
        #expect(try second.list(prefix: "").isEmpty)
        #expect(try second.reflog("refs/heads/main").isEmpty)
        #expect(try second.allObjectIDs().isEmpty)
        #expect(try second.objectIDs(withHexPrefix: String(id.hex.prefix(4))).isEmpty)
        #expect(try second.loadConfig().value(forKey: "banyan.test") == nil)
        #expect(try first.objectIDs(withHexPrefix: String(id.hex.prefix(5))) == [id])
        #expect(try first.loadConfig().value(forKey: "banyan.test") == "x")
    }

    @Test("opening finds an existing store; creating one twice or opening a missing one is refused")
    func openAndCreate() throws {
        let location = try TestDatabase.freshLocation("open")
        let missing = #expect(throws: BanyanError.self) { try PostgresBackend.open(location) }
        #expect(missing?.code == .invalidRepository)
        #expect(missing?.message.contains("has no store named '\(location.store)'") == true)

        let created = try PostgresBackend.create(location, hashAlgorithm: .sha256, initialBranch: "trunk")
        let id = try created.put(RawObject(kind: .blob, body: [1, 2, 3]))
        let opened = try PostgresBackend.open(location)
        #expect(opened.hashAlgorithm == .sha256)
        #expect(try opened.find("HEAD") == .symbolic("refs/heads/trunk"))
        #expect(try opened.get(id).body == [1, 2, 3])

        let twice = #expect(throws: BanyanError.self) { try PostgresBackend.create(location) }
        #expect(twice?.code == .alreadyExists)
    }

    @Test("a new database is migrated once, the version recorded; a newer schema is refused")
    func migrations() throws {
        let url = try PostgresTestServer.url()
        let admin = PostgresConnectionPool(try PostgresLocation(url: url + "?store=admin"))
        let database = "banyan_migrations_\(UInt32.random(in: 0...UInt32.max))"
        try admin.withSession { try $0.query("CREATE DATABASE \(unescaped: database)", "create a database") }
        defer { _ = try? admin.withSession { try $0.query("DROP DATABASE \(unescaped: database) WITH (FORCE)", "drop it") } }
        var base = url
        base.removeSubrange(base.range(of: "/", options: .backwards)!.lowerBound...)
        let location = try PostgresLocation(url: "\(base)/\(database)?store=s")

        let pool = PostgresConnectionPool(location)
        #expect(try pool.withSession { try PostgresSchema.migrate($0) } == [1])
        #expect(try pool.withSession { try PostgresSchema.migrate($0) } == [])
        let recorded = try pool.withSession { session in
            try session.query("SELECT version FROM banyan_schema_migrations ORDER BY version", "read versions")
                .map { try $0.decode(Int.self) }
        }
        #expect(recorded == [1])
        _ = try PostgresBackend.create(location)

        try pool.withSession { session in
            try session.query("INSERT INTO banyan_schema_migrations (version, description) VALUES (99, 'future')", "add")
        }
        let refused = #expect(throws: BanyanError.self) { try PostgresBackend.open(location) }
        #expect(refused?.code == .unsupported)
        #expect(refused?.message.contains("schema version 99") == true)
    }

    @Test("compare-and-swap through two backends on one store (two nodes) loses no increment")
    func twoNodesIncrement() throws {
        let location = try TestDatabase.freshLocation("nodes")
        let nodes = [try PostgresBackend.create(location), try PostgresBackend.open(location)]
        let ref = "refs/heads/counter"
        let total = 4 * 20
        let ids = (0...total).map { RawObject(kind: .blob, body: Array(String($0).utf8)).id(.sha1) }
        let value = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        try nodes[0].compareAndSwap(ref, expected: .absent, new: try nodes[0].put(RawObject(kind: .blob, body: Array("0".utf8))),
                                    log: nil)
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            let node = nodes[thread % 2]
            var done = 0
            while done < 20 {
                do {
                    let current = try node.resolve(ref)!
                    let next = try node.put(RawObject(kind: .blob, body: Array(String(value[current]! + 1).utf8)))
                    try node.compareAndSwap(ref, expected: .value(current), new: next, log: nil)
                    done += 1
                } catch let error as BanyanError where error.code == .staleRef {
                    continue
                } catch {
                    failures.withLock { $0.append("\(error)") }
                    return
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
        #expect(try nodes[1].resolve(ref).flatMap { value[$0] } == total)
    }

    @Test("a ref change through one backend wakes another's watchers (LISTEN/NOTIFY), only for its own store")
    func changesReachOtherNodes() async throws {
        let location = try TestDatabase.freshLocation("listen")
        let writer = try PostgresBackend.create(location)
        let watcher = try PostgresBackend.open(location)
        let elsewhere = try PostgresBackend.create(try TestDatabase.freshLocation("listen"))
        #expect(watcher.refChanges.fallbackInterval(.milliseconds(100)) == .seconds(5),
                "listening started, so watches poll only as a safety net")

        let quiet = watcher.refChanges.generation
        let other = try elsewhere.put(RawObject(kind: .blob, body: [0]))
        try elsewhere.compareAndSwap("refs/heads/main", expected: .absent, new: other, log: nil)
        await watcher.refChanges.wait(after: quiet, timeout: .milliseconds(500))
        #expect(watcher.refChanges.generation == quiet, "another store's change woke the watcher")

        let before = watcher.refChanges.generation
        let id = try writer.put(RawObject(kind: .blob, body: [1]))
        try writer.compareAndSwap("refs/heads/main", expected: .absent, new: id, log: nil)
        // Only the listener posts to this notifier, so the wait ends early
        // only if the notification arrived. The limit is generous: on CI's
        // loaded two cores a PostgreSQL round trip once took seconds, and
        // the watcher's own 5 s safety-net poll plays no part here.
        let start = ContinuousClock.now
        await watcher.refChanges.wait(after: before, timeout: .seconds(60))
        #expect(watcher.refChanges.generation > before, "the change did not reach the other backend")
        #expect(ContinuousClock.now - start < .seconds(60), "woken by the notification, not by the wait's end")
        #expect(try watcher.resolve("refs/heads/main") == id)
    }

    @Test("the server restarting mid-run gives clear errors, then the store works again with every acknowledged write")
    func serverRestart() throws {
        let server = try PostgresTestServer.startDedicated()
        let repository = try Repository.create(postgres: try PostgresLocation(url: server.url + "?store=restart"))
        let main = try repository.branch("main")
        for i in 0..<5 { try main.set(try Key("k\(i)"), Data("v\(i)".utf8)) }

        try PostgresTestServer.restart(server.directory)
        var failures: [BanyanError] = []
        var written = false
        for _ in 0..<5 where !written {
            do {
                try main.set(try Key("after"), Data("restart".utf8))
                written = true
            } catch let error as BanyanError {
                failures.append(error)
            }
        }
        #expect(written, "no write succeeded after the restart: \(failures)")
        #expect(failures.allSatisfy { $0.code == .io && $0.message.contains("PostgreSQL at 127.0.0.1") }, "\(failures)")
        let reopened = try Repository.open(postgres: try PostgresLocation(url: server.url + "?store=restart"))
        let snapshot = try reopened.branch("main").snapshot()
        for i in 0..<5 { #expect(try snapshot.get(try Key("k\(i)")) == Data("v\(i)".utf8)) }
        #expect(try snapshot.get(try Key("after")) == Data("restart".utf8))
        #expect(try reopened.refs.reflog("refs/heads/main").count == 6)
    }

    @Test("store URLs parse, and malformed ones are refused naming the problem")
    func locations() throws {
        let location = try PostgresLocation(url: "postgres://ada:secret@db.example:6543/banyan?store=home")
        #expect(location == PostgresLocation(host: "db.example", port: 6543, user: "ada", password: "secret",
                                             database: "banyan", store: "home"))
        #expect(location.description == "postgres://ada@db.example:6543/banyan?store=home")
        #expect(try PostgresLocation(url: "postgresql://ada@db/banyan?store=s").port == 5432)
        for (url, problem) in [
            ("postgres://db/banyan?store=s", "names no user"),
            ("postgres://ada@db/?store=s", "names no database"),
            ("postgres://ada@db/banyan", "names no store"),
            ("postgres://ada:pw@db/banyan?store=s&sslmode=require", "'sslmode' is not supported"),
        ] {
            let error = #expect(throws: BanyanError.self) { try PostgresLocation(url: url) }
            #expect(error?.message.contains(problem) == true, "\(url): \(String(describing: error))")
            #expect(error?.message.contains("pw") == false, "the password is not repeated")
        }
    }
}
