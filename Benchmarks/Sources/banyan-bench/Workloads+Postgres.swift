import Banyan
import BanyanPostgres
import Foundation

extension Workloads {
    /// PG: the same writes and reads on the filesystem backend and on
    /// PostgreSQL (the server `$BANYAN_BENCH_POSTGRES_URL` names, e.g. one
    /// from scripts/postgres-test-server.sh) in one run: W1T's commits, a
    /// transaction each (at most 2,000); W2's one commit of every key and
    /// W3's point reads over it, read from a store opened afresh (at most
    /// 20,000 keys and reads, so a run stays within minutes). Then how long
    /// a ref update through one backend takes to reach another backend's
    /// notifier on the same store (`LISTEN/NOTIFY`, two nodes in one
    /// process), the update's own commit included: the median of 50. The
    /// space W1T's and W2's stores take after `gc` (on the filesystem its
    /// files, packed with deltas by the repack; on PostgreSQL the object
    /// rows, `pg_column_size` of the bodies, which is after TOAST's
    /// compression, plus the key and row header, indexes not counted; gc
    /// deletes only unreachable rows there, and there are none). Last,
    /// W6's durable commits: the filesystem with `durability: .commit`
    /// against PostgreSQL as the server is set (named in the figure: a
    /// commit is durable there only with `fsync` and `synchronous_commit`
    /// on, as `scripts/postgres-test-server.sh start --durable` makes it).
    static func postgres(_ scale: Scale, at path: String) throws -> [Figure] {
        guard let server = ProcessInfo.processInfo.environment["BANYAN_BENCH_POSTGRES_URL"], !server.isEmpty else {
            throw BanyanError(.invalidArgument, "PG needs BANYAN_BENCH_POSTGRES_URL=postgres://USER@HOST:PORT/DB (scripts/postgres-test-server.sh start makes a server)")
        }
        var small = scale
        small.historyCommits = min(scale.historyCommits, 2_000)
        small.keys = min(scale.keys, 20_000)
        small.reads = min(scale.reads, 20_000)
        typealias Store = (repository: Repository, reopen: () throws -> Repository, bytes: () throws -> Int)
        let backends: [(name: String, create: () throws -> Store)] = [
            ("filesystem", {
                let store = path + "/" + UUID().uuidString + ".git"
                return (try Repository.create(at: store), { try Repository.open(at: store) }, { try diskUsage(store) })
            }),
            ("postgres", {
                let name = "bench-" + UUID().uuidString.lowercased()
                let store = server + "?store=" + name
                return (try Repository.create(postgres: store), { try Repository.open(postgres: store) },
                        { try rowBytes(server, store: name) })
            }),
        ]
        var figures: [Figure] = []
        for backend in backends {
            let history = try backend.create()
            var start = Date()
            try writeHistory(history.repository, small, batched: false)
            figures.append(Figure(name: "\(backend.name) commits/s", value: Double(small.historyCommits) / Date().timeIntervalSince(start),
                                  unit: "commits/s"))
            _ = try history.repository.gc()
            figures.append(Figure(name: "\(backend.name) W1T store bytes after gc", value: Double(try history.bytes()), unit: "bytes"))

            let bulk = try backend.create()
            start = Date()
            try bulkLoad(bulk.repository, small)
            try bulk.repository.flush()
            figures.append(Figure(name: "\(backend.name) W2 wall", value: Date().timeIntervalSince(start), unit: "s"))
            _ = try bulk.repository.gc()
            figures.append(Figure(name: "\(backend.name) W2 store bytes after gc", value: Double(try bulk.bytes()), unit: "bytes"))
            let reopen = bulk.reopen

            let snapshot = try reopen().branch("main").snapshot()
            start = Date()
            for i in 0..<small.reads {
                let n = (i * 7919) % small.keys
                guard try snapshot.get(BenchData.key(n)) == BenchData.value("b", n) else {
                    throw BanyanError(.corruptObject, "PG read a wrong value at key \(n) on \(backend.name)")
                }
            }
            figures.append(Figure(name: "\(backend.name) W3 reads/s", value: Double(small.reads) / Date().timeIntervalSince(start),
                                  unit: "reads/s"))
        }
        figures.append(Figure(name: "postgres change to other node", value: try notificationMilliseconds(server),
                              unit: "ms"))
        let durableFiles = try Repository.create(at: path + "/" + UUID().uuidString + ".git", configuration: .init(durability: .commit))
        figures.append(Figure(name: "filesystem W6 commits/s", value: try durableCommitsPerSecond(durableFiles, scale), unit: "commits/s"))
        let durableRows = try Repository.create(postgres: server + "?store=bench-w6-" + UUID().uuidString.lowercased())
        figures.append(Figure(name: "postgres W6 commits/s (\(try durabilitySettings(server)))",
                              value: try durableCommitsPerSecond(durableRows, scale), unit: "commits/s"))
        return figures
    }

    /// The server's `fsync` and `synchronous_commit`, as `fsync=on synchronous_commit=on`.
    static func durabilitySettings(_ server: String) throws -> String {
        try ["fsync", "synchronous_commit"].map { "\($0)=\(try psql(server, "SHOW \($0)"))" }.joined(separator: " ")
    }

    /// The bytes of store `store`'s object rows: bodies as stored (after
    /// TOAST compression), ids, and PostgreSQL's 24-byte row header and
    /// other columns (about 40 bytes a row).
    private static func rowBytes(_ server: String, store: String) throws -> Int {
        let query = "SELECT sum(pg_column_size(o.body) + pg_column_size(o.oid) + 40) FROM banyan_objects o "
            + "JOIN banyan_stores s ON s.id = o.store_id WHERE s.name = '\(store)'"
        guard let bytes = Int(try psql(server, query)) else { throw BanyanError(.io, "no size for store \(store)") }
        return bytes
    }

    /// What psql (Debian's, beside initdb, or on the PATH) prints for `query` on `server`, trimmed.
    private static func psql(_ server: String, _ query: String) throws -> String {
        let candidates = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { $0.compare($1, options: .numeric) == .orderedDescending }.map { "/usr/lib/postgresql/\($0)/bin/psql" }
            + ["/usr/bin/psql"]
        guard let psql = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BanyanError(.io, "PG needs psql to read the server's settings and sizes; install Debian's postgresql-client")
        }
        return try Processes.output(psql, [server, "-tAc", query]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The median time from starting a compare-and-swap on one backend to
    /// another backend of the same store hearing of it, in milliseconds.
    private static func notificationMilliseconds(_ server: String) throws -> Double {
        let location = try PostgresLocation(url: server + "?store=bench-notify-" + UUID().uuidString.lowercased())
        let writer = try PostgresBackend.create(location)
        let watcher = try PostgresBackend.open(location)
        // The first wait starts the watcher's LISTEN connection.
        _ = watcher.refChanges.fallbackInterval(.seconds(1))
        var previous: ObjectID?
        var samples: [Double] = []
        for i in 0..<50 {
            let id = try writer.put(RawObject(kind: .blob, body: Array("change \(i)".utf8)))
            let generation = watcher.refChanges.generation
            let start = Date()
            try writer.compareAndSwap("refs/heads/main", expected: previous.map { .value($0) } ?? .absent, new: id, log: nil)
            while watcher.refChanges.generation == generation {
                guard Date().timeIntervalSince(start) < 10 else {
                    throw BanyanError(.io, "a ref change did not reach the other backend within 10 s")
                }
                usleep(100)
            }
            samples.append(Date().timeIntervalSince(start) * 1000)
            previous = id
        }
        return samples.sorted()[samples.count / 2]
    }
}
