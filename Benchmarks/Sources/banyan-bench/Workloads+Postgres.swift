import Banyan
import BanyanPostgres
import Foundation

extension Workloads {
    /// PG: the same writes and reads on the filesystem backend and on
    /// PostgreSQL (the server `$BANYAN_BENCH_POSTGRES_URL` names, e.g. one
    /// from scripts/postgres-test-server.sh) in one run: W1T's commits, a
    /// transaction each (at most 2,000); W2's one commit of every key and
    /// W3's point reads over it, read from a store opened afresh (at most
    /// 20,000 keys and reads, so a run stays within minutes).
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
        return figures
    }
}
