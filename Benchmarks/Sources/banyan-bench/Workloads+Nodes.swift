import Banyan
import BanyanPostgres
import Foundation
import Synchronization

extension Workloads {
    /// PGN: the server tier. A fresh store, on the filesystem and on
    /// PostgreSQL (`$BANYAN_BENCH_POSTGRES_URL`), served by one and then by
    /// three `banyan serve` processes at once; 6 keep-alive HTTP clients,
    /// spread over the nodes, PUT `serviceWrites` single-key values (W7's
    /// writes, each its own commit through a compare-and-swap of `main`).
    /// Then W2 through the tier: one `POST /api/v1/commit/main` of `keys`
    /// values (at most 20,000) to the first node; and W3 over it: the 6
    /// clients GET `reads` of them (at most 20,000) through the nodes, each
    /// value checked. Then W6 through the tier: 4 clients, each writing
    /// `durableCommits` commits to a branch of its own through its node,
    /// durable before acknowledged (the filesystem store set to
    /// `banyan.durability commit`; on PostgreSQL as the server is set, named
    /// in the figure as in PG). Last, with several nodes, how long a write
    /// through the first node takes to reach a change-stream watcher
    /// (`GET /api/v1/watch/main`) on the last: the median of 20, the
    /// write's own commit included. Figures per backend and node count, in
    /// one run.
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
                    let repository = try Repository.create(at: store)
                    try repository.updateConfig { try $0.set("commit", forKey: "banyan.durability") }
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
                let label = "\(backend), \(count) node\(count == 1 ? "" : "s")"
                let writes = try drive(ports: ports, writes: scale.serviceWrites)
                figures.append(Figure(name: "\(label): W7 writes/s", value: writes, unit: "writes/s"))
                let keys = min(scale.keys, 20_000)
                figures.append(Figure(name: "\(label): W2 via REST", value: try bulkCommit(port: ports[0], keys: keys), unit: "s"))
                let reads = try readBack(ports: ports, keys: keys, reads: min(scale.reads, 20_000))
                figures.append(Figure(name: "\(label): W3 reads/s", value: reads, unit: "reads/s"))
                let durable = backend == "filesystem" ? "banyan.durability=commit" : try durabilitySettings(server)
                figures.append(Figure(name: "\(label): W6 commits/s (\(durable))",
                                      value: try durableWrites(ports: ports, commits: scale.durableCommits), unit: "commits/s"))
                if count > 1 {
                    figures.append(Figure(name: "\(label): write to another node's watcher",
                                          value: try watchLatency(writer: ports[0], watcher: ports[count - 1]), unit: "ms"))
                }
            }
        }
        return figures
    }

    /// The clients of the tier: client `c` on node `c % ports.count`.
    private static let clients = 6

    /// Runs `body` on each of `clients` clients at once, on threads of its
    /// own; returns the wall time, or throws the first client's failure.
    private static func phase(ports: [Int], clients: Int = clients,
                              _ body: @escaping @Sendable (HTTPConnection, Int) throws -> Void) throws -> Double {
        let failures = Mutex<[String]>([])
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
        if let failure = failures.withLock({ $0.first }) { throw BanyanError(.io, failure) }
        return Date().timeIntervalSince(start)
    }

    /// W7's writes, spread over the clients; returns writes/s.
    private static func drive(ports: [Int], writes: Int) throws -> Double {
        let perClient = writes / clients
        let writeSeconds = try phase(ports: ports) { connection, client in
            for i in 0..<perClient {
                let n = client * perClient + i
                let status = try connection.put("/api/v1/kv/main/" + BenchData.key(n).description, BenchData.value("n", n))
                if status != 200 { throw BanyanError(.io, "PUT \(n) answered \(status)") }
            }
        }
        return Double(perClient * clients) / writeSeconds
    }

    /// W2 through one node: one commit setting keys 0..<keys to W2's
    /// values; returns its wall time, the request's encoding included.
    private static func bulkCommit(port: Int, keys: Int) throws -> Double {
        let start = Date()
        var set: [String: String] = [:]
        for n in 0..<keys { set[BenchData.key(n).description] = String(decoding: BenchData.value("b", n), as: UTF8.self) }
        let body = try JSONSerialization.data(withJSONObject: ["set": set, "message": "W2"])
        let (status, answer) = try HTTPConnection(port: port).post("/api/v1/commit/main", body)
        guard status == 200 else {
            throw BanyanError(.io, "W2's commit answered \(status): \(String(decoding: answer.prefix(300), as: UTF8.self))")
        }
        return Date().timeIntervalSince(start)
    }

    /// W6 through the tier: 4 clients (on the nodes in turn), each making
    /// `commits` single-key commits on its own branch; returns commits/s.
    private static func durableWrites(ports: [Int], commits: Int) throws -> Double {
        let writers = 4
        let setup = try HTTPConnection(port: ports[0])
        for writer in 0..<writers {
            let body = try JSONSerialization.data(withJSONObject: ["name": "w\(writer)", "from": "main"])
            let (status, answer) = try setup.post("/api/v1/branches", body)
            guard status == 201 else {
                throw BanyanError(.io, "creating branch w\(writer) answered \(status): \(String(decoding: answer.prefix(200), as: UTF8.self))")
            }
        }
        let seconds = try phase(ports: ports, clients: writers) { connection, writer in
            for c in 0..<commits {
                let status = try connection.put("/api/v1/kv/w\(writer)/" + BenchData.key(writer).description, BenchData.value("w\(writer)", c))
                if status != 200 { throw BanyanError(.io, "W6 PUT \(c) on w\(writer) answered \(status)") }
            }
        }
        return Double(writers * commits) / seconds
    }

    /// The median of 20 times from sending a PUT through `writer` to the
    /// event for its commit arriving on a watch of `main` through `watcher`,
    /// in milliseconds.
    private static func watchLatency(writer: Int, watcher: Int) throws -> Double {
        let stream = try HTTPConnection(port: watcher)
        try stream.openStream("/api/v1/watch/main")
        let connection = try HTTPConnection(port: writer)
        var samples: [Double] = []
        for i in 0..<20 {
            let start = Date()
            let status = try connection.put("/api/v1/kv/main/watched/\(i)", Data("\(i)".utf8))
            guard status == 200 else { throw BanyanError(.io, "the watched write answered \(status)") }
            try stream.awaitEvent(containing: "watched/\(i)", within: 10)
            samples.append(Date().timeIntervalSince(start) * 1000)
        }
        return samples.sorted()[samples.count / 2]
    }

    /// W3 over W2's commit, spread over the clients and nodes, each value
    /// checked; returns reads/s.
    private static func readBack(ports: [Int], keys: Int, reads: Int) throws -> Double {
        let readsPerClient = reads / clients
        let readSeconds = try phase(ports: ports) { connection, client in
            for i in 0..<readsPerClient {
                let n = ((client * readsPerClient + i) * 7919) % keys
                let (status, body) = try connection.get("/api/v1/kv/main/" + BenchData.key(n).description)
                guard status == 200, Data(body) == BenchData.value("b", n) else {
                    throw BanyanError(.corruptObject, "GET \(n) answered \(status) with another value")
                }
            }
        }
        return Double(readsPerClient * clients) / readSeconds
    }
}
