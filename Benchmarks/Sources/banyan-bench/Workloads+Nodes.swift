import Banyan
import BanyanPostgres
import Foundation
import Synchronization

extension Workloads {
    /// PGN: the server tier. A fresh store, on the filesystem and on
    /// PostgreSQL (`$BANYAN_BENCH_POSTGRES_URL`), served by one and then by
    /// three `banyan serve` processes at once; 6 keep-alive HTTP clients,
    /// spread over the nodes, PUT `serviceWrites` single-key values (W7's
    /// writes, each its own commit through a compare-and-swap of `main`),
    /// then GET `reads` of them back through the nodes, each value checked.
    /// Writes/s and reads/s per backend and node count, in one run.
    static func nodes(_ scale: Scale, at path: String) throws -> [Figure] {
        guard let server = ProcessInfo.processInfo.environment["BANYAN_BENCH_POSTGRES_URL"], !server.isEmpty else {
            throw BanyanError(.invalidArgument, "PGN needs BANYAN_BENCH_POSTGRES_URL=postgres://USER@HOST:PORT/DB (scripts/postgres-test-server.sh start makes a server)")
        }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var figures: [Figure] = []
        for backend in ["filesystem", "postgres"] {
            for count in [1, 3] {
                let store: String
                if backend == "filesystem" {
                    store = path + "/\(count)-nodes.git"
                    _ = try Repository.create(at: store)
                } else {
                    store = server + "?store=bench-nodes-" + UUID().uuidString.lowercased()
                    _ = try Repository.create(postgres: store)
                }
                let nodes = try (0..<count).map {
                    try BanyanServeProcess(repository: store, log: path + "/\(backend)-\(count)-\($0).log")
                }
                defer { for node in nodes { node.stop() } }
                let ports = try nodes.map { node -> Int in
                    guard let port = URL(string: node.url)?.port else { throw BanyanError(.io, "no port in \(node.url)") }
                    return port
                }
                let (writes, reads) = try drive(ports: ports, writes: scale.serviceWrites, reads: min(scale.reads, 20_000))
                figures.append(Figure(name: "\(backend), \(count) node\(count == 1 ? "" : "s"): writes/s", value: writes, unit: "writes/s"))
                figures.append(Figure(name: "\(backend), \(count) node\(count == 1 ? "" : "s"): reads/s", value: reads, unit: "reads/s"))
            }
        }
        return figures
    }

    /// 6 clients, client `c` on node `c % ports.count`: the writes, then
    /// the reads (each checked); returns writes/s and reads/s.
    private static func drive(ports: [Int], writes: Int, reads: Int) throws -> (Double, Double) {
        let clients = 6
        let failures = Mutex<[String]>([])
        func phase(_ body: @escaping @Sendable (HTTPConnection, Int) throws -> Void) -> Double {
            let start = Date()
            let group = DispatchGroup()
            for client in 0..<clients {
                group.enter()
                Thread {
                    defer { group.leave() }
                    do {
                        try body(try HTTPConnection(port: ports[client % ports.count]), client)
                    } catch {
                        failures.withLock { $0.append("client \(client): \(error)") }
                    }
                }.start()
            }
            group.wait()
            return Date().timeIntervalSince(start)
        }
        let perClient = writes / clients
        let writeSeconds = phase { connection, client in
            for i in 0..<perClient {
                let n = client * perClient + i
                let status = try connection.put("/api/v1/kv/main/" + BenchData.key(n).description, BenchData.value("n", n))
                if status != 200 { throw BanyanError(.io, "PUT \(n) answered \(status)") }
            }
        }
        if let failure = failures.withLock({ $0.first }) { throw BanyanError(.io, failure) }
        let readsPerClient = reads / clients
        let readSeconds = phase { connection, client in
            for i in 0..<readsPerClient {
                let n = ((client * readsPerClient + i) * 7919) % (perClient * clients)
                let (status, body) = try connection.get("/api/v1/kv/main/" + BenchData.key(n).description)
                guard status == 200, Data(body) == BenchData.value("n", n) else {
                    throw BanyanError(.corruptObject, "GET \(n) answered \(status) with another value")
                }
            }
        }
        if let failure = failures.withLock({ $0.first }) { throw BanyanError(.io, failure) }
        return (Double(perClient * clients) / writeSeconds, Double(readsPerClient * clients) / readSeconds)
    }
}
