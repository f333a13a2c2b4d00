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
    /// process), the update's own commit included: the median of 50.
    static func postgres(_ scale: Scale, at path: String) throws -> [Figure] {
        guard let server = ProcessInfo.processInfo.environment["BANYAN_BENCH_POSTGRES_URL"], !server.isEmpty else {
            throw BanyanError(.invalidArgument, "PG needs BANYAN_BENCH_POSTGRES_URL=postgres://USER@HOST:PORT/DB (scripts/postgres-test-server.sh start makes a server)")
        }
        var small = scale
        small.historyCommits = min(scale.historyCommits, 2_000)
        small.keys = min(scale.keys, 20_000)
        small.reads = min(scale.reads, 20_000)
        let backends: [(name: String, create: () throws -> (Repository, () throws -> Repository))] = [
            ("filesystem", {
                let store = path + "/" + UUID().uuidString + ".git"
                return (try Repository.create(at: store), { try Repository.open(at: store) })
            }),
            ("postgres", {
                let store = server + "?store=bench-" + UUID().uuidString.lowercased()
                return (try Repository.create(postgres: store), { try Repository.open(postgres: store) })
            }),
        ]
        var figures: [Figure] = []
        for backend in backends {
            let (history, _) = try backend.create()
            var start = Date()
            try writeHistory(history, small, batched: false)
            figures.append(Figure(name: "\(backend.name) commits/s", value: Double(small.historyCommits) / Date().timeIntervalSince(start),
                                  unit: "commits/s"))

            let (bulk, reopen) = try backend.create()
            start = Date()
            try bulkLoad(bulk, small)
            try bulk.flush()
            figures.append(Figure(name: "\(backend.name) W2 wall", value: Date().timeIntervalSince(start), unit: "s"))

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
        return figures
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
