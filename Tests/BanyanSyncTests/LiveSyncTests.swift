import Banyan
import BanyanSync
import BanyanTestSupport
import Foundation
import Synchronization
import Testing

/// `Sync.live`: stores kept converged through a server, across its restart,
/// without losing or duplicating a commit. Bounds are generous: they catch
/// a sync that stopped, not a slow one.
@Suite("Sync: live", .serialized)
struct LiveSyncTests {
    /// A live sync of `repository`'s `main` with `origin`, its events collected until `stop()`.
    final class Running: Sendable {
        final class Log: Sendable {
            let events = Mutex<[LiveSync.Event]>([])
        }

        let task: Task<Void, Never>
        private let log = Log()

        /// Short retries; rounds given up after 3 s, since connections to a
        /// stopped in-process server can hang rather than be refused.
        init(_ repository: Repository, options: LiveSync.Options = .init(retryDelay: .milliseconds(50), maxRetryDelay: .milliseconds(400),
                                                                          roundTimeout: .seconds(3))) throws {
            let events = try Sync(repository: repository).live(branches: ["main"], options: options)
            let log = log
            task = Task {
                for await event in events { log.events.withLock { $0.append(event) } }
            }
        }

        var events: [LiveSync.Event] { log.events.withLock { $0 } }

        func stop() async {
            task.cancel()
            await task.value
        }
    }

    /// Waits up to `bound` for `condition`; returns whether it came true.
    func eventually(within bound: Duration = .seconds(20), _ condition: () throws -> Bool) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + bound
        while clock.now < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try condition()
    }

    func converged(_ stores: Repository...) throws -> Bool {
        let heads = try stores.map { try $0.branch("main").head() }
        return Set(heads).count == 1
    }

    /// The server's store and both devices' stores in memory, or all in
    /// PostgreSQL (the server's change stream then fed by LISTEN/NOTIFY).
    @Test(.timeLimit(.minutes(3)), arguments: StoreBackend.allCases)
    func twoStoresConvergeThroughAServer(_ backend: StoreBackend) async throws {
        let server = try backend.make()
        try commit(server, "seed", "1")
        let remote = try await TestServer.start(server)
        let laptop = try await backend.clone(remote.url), phone = try await backend.clone(remote.url)
        let laptopSync = try Running(laptop), phoneSync = try Running(phone)

        try commit(laptop, "from/laptop", "1", "laptop 1")
        #expect(try await eventually { try text(phone, "from/laptop") == "1" })
        try commit(phone, "from/phone", "1", "phone 1")
        #expect(try await eventually { try text(laptop, "from/phone") == "1" })

        // Both sides write at once, several times: every commit arrives everywhere, once.
        for round in 0..<5 {
            try commit(laptop, "laptop/\(round)", "x", "laptop round \(round)", time: 1_800_000_000 + Int64(round))
            try commit(phone, "phone/\(round)", "y", "phone round \(round)", time: 1_800_000_000 + Int64(round))
        }
        #expect(try await eventually { try converged(laptop, phone, server) && text(laptop, "phone/4") == "y" })
        let history = try messages(server)
        for round in 0..<5 {
            #expect(history.filter { $0 == "laptop round \(round)" }.count == 1)
            #expect(history.filter { $0 == "phone round \(round)" }.count == 1)
        }
        #expect(laptopSync.events.contains { if case .following(_, .events) = $0 { true } else { false } })
        await laptopSync.stop()
        await phoneSync.stop()
        await remote.stop()
    }

    @Test(.timeLimit(.minutes(3)))
    func aServerRestartIsSurvived() async throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("server.git")
        _ = try makeStore(path, commits: 1)
        var remote = try await TestServer.start(try Repository.open(at: path))
        let laptop = try await cloneInMemory(remote.url), phone = try await cloneInMemory(remote.url)
        let laptopSync = try Running(laptop), phoneSync = try Running(phone)
        try commit(laptop, "before", "1", "before the restart")
        #expect(try await eventually { try text(phone, "before") == "1" })

        let port = remote.port
        await remote.stop()
        try commit(laptop, "while/down", "1", "while the server is down")
        #expect(try await eventually { laptopSync.events.contains { if case .offline = $0 { true } else { false } } }, "\(laptopSync.events)")
        remote = try await TestServer.start(try Repository.open(at: path), port: port)

        #expect(try await eventually { try text(phone, "while/down") == "1" })
        try commit(phone, "after", "1", "after the restart")
        #expect(try await eventually { try text(laptop, "after") == "1" && converged(laptop, phone) })
        #expect(try messages(phone).filter { $0 == "while the server is down" }.count == 1)
        #expect(laptopSync.events.contains { if case .online = $0 { true } else { false } })
        await laptopSync.stop()
        await phoneSync.stop()
        await remote.stop()
        try GitRunner.run(["fsck", "--strict"], in: path)
    }

    /// A conflict is reported, the branch keeps its value and is not
    /// pushed; a local commit that resolves it is merged and pushed.
    @Test(.timeLimit(.minutes(3)))
    func aConflictIsReportedThenResolvedByACommit() async throws {
        let server = try Repository.inMemory()
        try commit(server, "title", "first")
        let remote = try await TestServer.start(server)
        let laptop = try await cloneInMemory(remote.url), phone = try await cloneInMemory(remote.url)
        try commit(laptop, "title", "laptop's")
        _ = try await Sync(repository: laptop).sync(branches: ["main"])
        try commit(phone, "title", "phone's")
        let serverHead = try server.branch("main").head()

        let phoneSync = try Running(phone)
        let title = try Key("title")
        #expect(try await eventually {
            phoneSync.events.contains { if case .conflict(_, "main", let keys) = $0 { keys == [title] } else { false } }
        })
        #expect(try text(phone, "title") == "phone's" && server.branch("main").head() == serverHead)

        try commit(phone, "title", "laptop's", "take the laptop's title")
        #expect(try await eventually { try converged(phone, server) && text(server, "title") == "laptop's" })
        await phoneSync.stop()
        await remote.stop()
    }

    /// A remote that is a path (no change stream) is polled.
    @Test(.timeLimit(.minutes(3)))
    func aPlainRemoteIsPolled() async throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("server.git")
        _ = try makeStore(path, commits: 1)
        let laptop = try await cloneInMemory(path), phone = try await cloneInMemory(path)
        let laptopSync = try Running(laptop), phoneSync = try Running(phone)
        try commit(laptop, "polled", "1")
        #expect(try await eventually { try text(phone, "polled") == "1" })
        #expect(phoneSync.events.contains { if case .following(_, .polling) = $0 { true } else { false } })
        await laptopSync.stop()
        await phoneSync.stop()
    }

    @Test(.timeLimit(.minutes(3)))
    func cancellingTheIteratingTaskEndsTheSequence() async throws {
        let server = try Repository.inMemory()
        try commit(server, "seed", "1")
        let remote = try await TestServer.start(server)
        let laptop = try await cloneInMemory(remote.url)
        let running = try Running(laptop)
        #expect(try await eventually { running.events.contains { if case .synced = $0 { true } else { false } } })
        await running.stop()
        let count = running.events.count
        try commit(laptop, "after/stop", "1")
        try await Task.sleep(for: .milliseconds(300))
        #expect(running.events.count == count)
        #expect(try server.branch("main").find(try Key("after/stop")) == nil)
        await remote.stop()
    }

    /// A server that opens change streams and then says nothing, not even
    /// keep-alives (a network that dropped silently): the stream is reopened.
    @Test(.timeLimit(.minutes(3)))
    func aSilentChangeStreamIsReopened() async throws {
        let dir = TemporaryDirectory()
        let script = dir.appending("silent.py")
        try #"""
        import http.server, sys, time
        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args): pass
            def do_GET(self):
                if self.path == "/api/v1/info":
                    body = b"{}"
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                elif self.path.startswith("/api/v1/watch/"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    self.wfile.write(b": watching\n\n")
                    self.wfile.flush()
                    print("opened", flush=True)
                    time.sleep(30)
                else:
                    self.send_error(404)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#.write(toFile: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let port = try #require(Int(try pipe.readLine()))
        let laptop = try Repository.inMemory()
        try Remotes.add(Remote(name: "origin", url: "http://127.0.0.1:\(port)/"), to: laptop)
        let running = try Running(laptop, options: .init(retryDelay: .milliseconds(50), maxRetryDelay: .milliseconds(100),
                                                         streamStallTimeout: .milliseconds(400)))
        for _ in 0..<3 {
            #expect(try await offPool { try pipe.readLine() } == "opened")
        }
        await running.stop()
    }

    @Test func badInputIsRefusedWithAClearError() throws {
        let sync = Sync(repository: try Repository.inMemory())
        #expect(throws: BanyanError.self) { try sync.live(remotes: ["nowhere"], branches: ["main"]) }
        #expect(throws: BanyanError.self) { try sync.live(branches: []) }
        #expect(throws: BanyanError.self) {
            try sync.live(branches: ["main"], options: .init(pollInterval: .seconds(5), idlePollInterval: .seconds(1)))
        }
    }
}
