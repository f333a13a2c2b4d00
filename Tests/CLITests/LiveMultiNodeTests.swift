import Banyan
import BanyanTestSupport
import Foundation
import Synchronization
import Testing

/// Three devices kept in step by `banyan sync --live`, each device its own
/// store and `banyan serve` in its own network namespace: `a` is the home
/// server, `b` and `c` follow it live (its change stream) and take writes
/// through their own REST APIs; `c` is a partial replica that keeps only
/// `notes/` (the rest is fetched when read). Concurrent writes converge; a partition
/// (c's link down) with writes on both sides heals within a stated bound;
/// a conflict made across the partition is recorded on one device and
/// resolved on another; no acknowledged write is lost.
///
/// Like `MultiNodeTests`, it fails when network namespaces cannot be made,
/// unless `BANYAN_MULTINODE_LOOPBACK=1` asks for loopback (then the
/// partition is only simulated by stopping c's live sync).
@Suite("Live multi-node sync", .serialized)
struct LiveMultiNodeTests {
    static let names = ["a", "b", "c"]
    /// What the partial replica `c` keeps.
    static let partialPrefix = "notes/"
    /// How long every device may take to hold every acknowledged write once
    /// the writes stop (connected), or once the link is back (after a
    /// partition). Connected it is well under a second. After a partition
    /// the request a round had in flight when the link went down waits for
    /// TCP's retransmission (whose interval has doubled meanwhile) or, at
    /// worst, for the round's 60 s timeout; measured here: about 24 s.
    static let convergenceBound: Duration = .seconds(75)

    @Test(.timeLimit(.minutes(5)))
    func liveDevicesConvergeThroughAPartitionAndShareTheConflictInbox() async throws {
        guard let network = NamespaceNetwork.makeOrLoopback(count: Self.names.count, for: "Live multi-node sync") else { return }
        try await offPool { try Devices(network: network).run() }
    }
}

/// The three devices of ``LiveMultiNodeTests`` and what the test does with them.
private final class Devices: @unchecked Sendable {
    let network: any NodeNetwork
    let dir = TemporaryDirectory("banyan-live-multinode")
    var paths: [String] { LiveMultiNodeTests.names.map(dir.appending) }
    var servers: [ServeProcess] = []
    var live: [Int: Process] = [:]
    /// Every write a server acknowledged: key → value. Devices write from
    /// three threads at once, so the record is behind a lock.
    private let acknowledgedWrites = Mutex<[String: String]>([:])
    var acknowledged: [String: String] { acknowledgedWrites.withLock { $0 } }

    /// Records that `key` was acknowledged with `value` (nil: that it was removed).
    func acknowledge(_ key: String, _ value: String?) {
        acknowledgedWrites.withLock { $0[key] = value }
    }

    init(network: any NodeNetwork) { self.network = network }

    func run() throws {
        print("Live multi-node sync on \(network.label)")
        defer {
            for process in live.values where process.isRunning { kill(process.processIdentifier, SIGKILL) }
            for server in servers { server.stop() }
            network.tearDown()
        }
        try setUp()
        let partial = try Repository.open(at: paths[2])
        let seed = try #require(try partial.branch("main").snapshot().entry(at: try Key("seed")))
        #expect(try !partial.objects.contains(seed.id), "the partial replica fetched a value outside its prefix")

        // Connected: every device writes at once.
        let start = ContinuousClock.now
        let failures = runOnThreads(3) { node in
            for round in 0..<5 { try self.put(node, "notes/\(LiveMultiNodeTests.names[node])/\(round)", "round \(round)") }
        }
        #expect(failures.isEmpty, "\(failures)")
        let connected = try converge()
        print("Live multi-node sync: connected writes converged \(connected) after the last write (\(ContinuousClock.now - start) in all)")

        // Partitioned: c is cut off; both sides write, and both edit `title`.
        try partition(true)
        try put(1, "title", "b's title")
        try put(0, "notes/a/offline", "written while c was away")
        Thread.sleep(forTimeInterval: 1.1)   // commit times are in seconds: c's edit is the newer one
        try set(2, "title", "c's title")
        try set(2, "notes/c/offline", "written while cut off")
        if network.isolates {
            let probe = network.launcher(2) + ["/usr/bin/curl", "-sf", "--max-time", "2", servers[0].url + "api/v1/info"]
            #expect(try ProcessRunner.run(probe[0], Array(probe.dropFirst()), check: false).status != 0, "c still reached a")
        }
        try partition(false)
        let healed = try converge()
        // No write acknowledged on either side of the partition was lost.
        print("Live multi-node sync: converged \(healed) after the partition healed (bound \(LiveMultiNodeTests.convergenceBound))")
        print(logs())

        // The title conflict was recorded (by c, which merged it) and reached every inbox.
        for node in 0..<3 {
            #expect(try eventually { try self.records(node) == ["title"] }, "inbox of \(LiveMultiNodeTests.names[node])")
        }
        #expect(try value(0, "title") == "c's title", "the newer edit is kept meanwhile")
        // Resolved on b; the resolution reaches c and a, and every inbox empties.
        let resolved = try CLI.run(["conflicts", "resolve", "title", "--take", "theirs", "-C", paths[1]],
                                   launcher: network.launcher(1))
        #expect(resolved.status == 0, "\(resolved.stderr)")
        acknowledge("title", try value(1, "title"))
        #expect(acknowledged["title"] != "c's title", "the resolution did not take the other side")
        _ = try converge()
        for node in 0..<3 { #expect(try records(node).isEmpty, "inbox of \(LiveMultiNodeTests.names[node])") }

        for process in live.values {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        }
        for path in paths { try GitRunner.run(["fsck", "--strict"], in: path) }
    }

    private func setUp() throws {
        let home = try Repository.create(at: paths[0])
        try home.branch("main").set(try Key("seed"), Data("1".utf8))
        try home.flush()
        servers.append(try ServeProcess(repo: paths[0], arguments: ["--host", network.host(0)], launcher: network.launcher(0)))
        for node in 1..<3 {
            let partial = node == 2 ? ["--prefix", LiveMultiNodeTests.partialPrefix] : []
            let clone = try CLI.run(["clone", servers[0].url, paths[node], "--quiet"] + partial, launcher: network.launcher(node))
            try #require(clone.status == 0, "clone into \(LiveMultiNodeTests.names[node]): \(clone.stderr)")
            servers.append(try ServeProcess(repo: paths[node], arguments: ["--host", network.host(node)],
                                            launcher: network.launcher(node)))
            try startLive(node)
        }
    }

    /// `banyan sync --live --on-conflict record` on device `node`, following `a`.
    private func startLive(_ node: Int) throws {
        let command = network.launcher(node) + [CLI.executable, "sync", "--live", "--on-conflict", "record", "-C", paths[node]]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = CLI.environment()
        let log = dir.appending("live-\(node).log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardError = process.standardOutput
        try process.run()
        live[node] = process
    }

    /// Cuts c's link (or, on loopback, stops its live sync), or restores it.
    private func partition(_ cut: Bool) throws {
        if network.isolates {
            try network.setLink(2, up: !cut)
        } else if cut, let process = live[2] {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            live[2] = nil
        } else if !cut {
            try startLive(2)
        }
    }

    /// A REST write through device `node`'s own server (curl inside its namespace), acknowledged by a 200.
    private func put(_ node: Int, _ key: String, _ value: String) throws {
        let url = servers[node].url + "api/v1/kv/main/" + key
        let command = network.launcher(node) + ["/usr/bin/curl", "-sf", "-X", "PUT", "--data-binary", value, url]
        let result = try ProcessRunner.run(command[0], Array(command.dropFirst()), check: false)
        try #require(result.status == 0, "PUT \(key) on \(LiveMultiNodeTests.names[node]): curl exit \(result.status) \(result.stderr)")
        acknowledge(key, value)
    }

    /// A CLI write on device `node` (no network: c writes so while cut off), acknowledged by exit status 0.
    private func set(_ node: Int, _ key: String, _ value: String) throws {
        let result = try CLI.run(["set", key, value, "-C", paths[node]], launcher: network.launcher(node))
        try #require(result.status == 0, "set \(key) on \(LiveMultiNodeTests.names[node]): \(result.stderr)")
        acknowledge(key, value)
    }

    /// True when device `node`'s `main` holds `value` at `key`. The partial
    /// replica has the trees but not the values outside its prefix: there,
    /// the entry's id is compared with the value's.
    private func holds(_ node: Int, _ key: String, _ value: String) throws -> Bool {
        guard node == 2, !key.hasPrefix(LiveMultiNodeTests.partialPrefix) else { return try self.value(node, key) == value }
        let entry = try Repository.open(at: paths[node]).branch("main").snapshot().entry(at: try Key(key))
        return entry?.id == RawObject(kind: .blob, body: Array(value.utf8)).id(.sha1)
    }

    /// Waits until every device holds every acknowledged write (the partial
    /// replica: every one under its prefix, and the others when read
    /// through the CLI, which fetches them), and returns how long that took.
    private func converge() throws -> Duration {
        let start = ContinuousClock.now
        let done = try eventually(within: LiveMultiNodeTests.convergenceBound) {
            try (0..<3).allSatisfy { node in try self.acknowledged.allSatisfy { try self.holds(node, $0.key, $0.value) } }
        }
        let missing = try (0..<3).flatMap { node in
            try acknowledged.filter { try !holds(node, $0.key, $0.value) }.map { "\(LiveMultiNodeTests.names[node]):\($0.key)" }
        }
        for (key, value) in acknowledged where !key.hasPrefix(LiveMultiNodeTests.partialPrefix) {
            let read = try CLI.run(["get", key, "-C", paths[2]], launcher: network.launcher(2))
            #expect(read.status == 0 && read.text == value, "the partial replica read \(key) as \(read.text) \(read.stderr)")
        }
        #expect(done, "not converged within \(LiveMultiNodeTests.convergenceBound); missing \(missing.sorted()); logs: \(logs())")
        return ContinuousClock.now - start
    }

    private func value(_ node: Int, _ key: String) throws -> String? {
        try Repository.open(at: paths[node]).branch("main").find(try Key(key)).map { String(decoding: $0, as: UTF8.self) }
    }

    private func records(_ node: Int) throws -> [String] {
        try ConflictInbox(repository: try Repository.open(at: paths[node])).records().map(\.key.path)
    }

    private func eventually(within bound: Duration = .seconds(20), _ condition: () throws -> Bool) throws -> Bool {
        let deadline = ContinuousClock.now + bound
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            usleep(100_000)
        }
        return try condition()
    }

    private func logs() -> String {
        (1..<3).map { "\(LiveMultiNodeTests.names[$0]): " + ((try? String(contentsOfFile: dir.appending("live-\($0).log"), encoding: .utf8)) ?? "") }
            .joined(separator: "\n")
    }
}
