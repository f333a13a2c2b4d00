import Banyan
import BanyanSync
import BanyanTestSupport
import Foundation
import Testing

/// Three nodes, each its own store and `banyan serve` on loopback, writing
/// `counter` and `json` keys concurrently while pulling and pushing; then a
/// partition, more writes, healing, and convergence with no update lost.
///
/// Loopback only: the network-namespace variant needs rights this test does
/// not assume.
@Suite("Sync: multi-node", .serialized)
struct MultiNodeTests {
    static let names = ["a", "b", "c"]
    static let rounds = 4

    /// Adds one to the shared counter and the node's own, and records the round in its JSON state.
    static func write(_ repo: Repository, node: String, round: Int) throws {
        _ = try repo.branch("main").transaction(message: "\(node) round \(round)", author: signature(Int64(round))) { tx in
            for path in ["counters/total", "counters/\(node)"] {
                let current = try tx.find(key(path)).flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
                tx.set(key(path), data("\(current + 1)"))
            }
            var state = try tx.find(key("state/nodes.json")).flatMap {
                try JSONSerialization.jsonObject(with: $0) as? [String: Int]
            } ?? [:]
            state[node] = round
            tx.set(key("state/nodes.json"), try JSONSerialization.data(withJSONObject: state, options: .sortedKeys))
        }
    }

    /// Pulls `peer` into `node`'s main (failing on conflicts), then tries to push back; a refused push is fine.
    static func sync(_ repo: Repository, with peer: String) async throws {
        let sync = Sync(repository: repo)
        let outcome = try await sync.pull(remote: peer, branch: "main")
        if case .conflicts(let conflicts) = outcome {
            Issue.record("pull from \(peer) left conflicts: \(conflicts.map(\.key.path))")
        }
        _ = try? await sync.push(remote: peer, branch: "main")
    }

    @Test(.timeLimit(.minutes(3)))
    func threeNodesConvergeAfterAPartition() async throws {
        let dir = TemporaryDirectory()
        let seed = try Repository.create(at: dir.appending("a"))
        try seed.branch("main").transaction(message: "seed", author: signature(0)) { tx in
            tx.set(key(".gitattributes"), data("counters/* merge=counter\nstate/*.json merge=json\n"))
            tx.set(key("counters/total"), data("0"))
        }
        try seed.flush()
        var servers: [String: TestServer] = [:]
        servers["a"] = try await TestServer.start(seed)
        for name in ["b", "c"] {
            _ = try await Sync.clone(url: servers["a"]!.url, to: dir.appending(name))
            servers[name] = try await TestServer.start(try Repository.open(at: dir.appending(name)))
        }
        var repos: [String: Repository] = [:]
        for name in Self.names {
            let repo = try Repository.open(at: dir.appending(name))
            for peer in Self.names where peer != name {
                if try Remotes.find(peer, in: repo) == nil { try Remotes.add(Remote(name: peer, url: servers[peer]!.url), to: repo) }
            }
            repos[name] = repo
        }
        let nodes = repos

        // Connected, then partitioned (c cut off from a and b): every node keeps writing.
        for partitioned in [false, true] {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for name in Self.names {
                    group.addTask {
                        let repo = nodes[name]!
                        for round in 0..<Self.rounds {
                            try Self.write(repo, node: name, round: round + (partitioned ? Self.rounds : 0))
                            let peers = Self.names.filter { $0 != name && !(partitioned && ($0 == "c" || name == "c")) }
                            if !peers.isEmpty { try await Self.sync(repo, with: peers[round % peers.count]) }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }

        // Healed: a bounded number of sequential rounds.
        for _ in 0..<3 {
            for name in Self.names {
                for peer in Self.names where peer != name { try await Self.sync(nodes[name]!, with: peer) }
            }
        }
        let trees = try Self.names.map { try nodes[$0]!.branch("main").snapshot().root }
        #expect(Set(trees).count == 1)
        let main = try nodes["a"]!.branch("main")
        let total = Self.names.count * Self.rounds * 2
        let counted = String(decoding: try main.get(key("counters/total")), as: UTF8.self)
        // Two nodes that add one to the same value write the same blob; the
        // counter strategy still counts both increments.
        #expect(counted == "\(total)")
        for name in Self.names {
            #expect(String(decoding: try main.get(key("counters/\(name)")), as: UTF8.self) == "\(Self.rounds * 2)")
            try nodes[name]!.flush()
            try GitRunner.run(["fsck", "--strict"], in: dir.appending(name))
        }
        let state = try JSONSerialization.jsonObject(with: try main.get(key("state/nodes.json"))) as? [String: Int]
        #expect(Set(state?.keys.map { $0 } ?? []) == Set(Self.names))
        for server in servers.values { await server.stop() }
    }

    @Test func identicalCounterChangesAreBothCounted() throws {
        let repo = try Repository.inMemory()
        let main = try repo.branch("main")
        _ = try main.transaction(message: "seed", author: signature(0)) { tx in
            tx.set(key(".gitattributes"), data("counters/* merge=counter\n"))
            tx.set(key("counters/total"), data("3"))
        }
        let side = try repo.createBranch("side")
        try main.set(key("counters/total"), data("4"), message: "main +1", author: signature(1))
        try side.set(key("counters/total"), data("4"), message: "side +1", author: signature(2))
        try side.set(key("other"), data("x"), message: "side other", author: signature(3))
        _ = try repo.merge(from: side, into: main)
        let merged = String(decoding: try main.get(key("counters/total")), as: UTF8.self)
        #expect(merged == "5")
    }
}
