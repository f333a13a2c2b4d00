import BanyanTestSupport
import Foundation
import Testing

/// `banyan sync` and `banyan sync --live` as a person runs them, against `banyan serve`.
@Suite("Sync command CLI", .serialized)
struct SyncCommandCLITests {
    /// The JSON `sync --json` printed, as dictionaries.
    func branches(_ output: String) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        let remotes = try #require(object?["remotes"] as? [[String: Any]])
        return try #require(remotes.first?["branches"] as? [[String: Any]])
    }

    @Test(.timeLimit(.minutes(1)))
    func syncReportsWhatItDidAndExitsByOutcome() throws {
        let dir = TemporaryDirectory()
        let server = dir.appending("server")
        try CLI.ok(server, ["init"])
        try CLI.ok(server, ["set", "title", "first", "-m", "first"])
        let serve = try ServeProcess(repo: server)
        defer { serve.stop(SIGKILL) }
        let laptop = dir.appending("laptop"), phone = dir.appending("phone")
        #expect(try CLI.run(["clone", serve.url, laptop]).status == 0)
        #expect(try CLI.run(["clone", serve.url, phone]).status == 0)

        try CLI.ok(laptop, ["set", "plan", "v2"])
        let pushed = try branches(try CLI.ok(laptop, ["sync", "--json"]))
        #expect(pushed.first?["action"] as? String == "up-to-date" && pushed.first?["pushed"] as? Bool == true)
        #expect(try CLI.ok(server, ["get", "plan"]) == "v2")

        #expect(try CLI.ok(phone, ["sync"]).hasPrefix("origin main: fast-forwarded to "))
        #expect(try CLI.ok(phone, ["sync"]) == "origin main: up to date")
        #expect(try branches(try CLI.ok(phone, ["sync", "--json"])).first?["nothingToDo"] as? Bool == true)

        try CLI.ok(laptop, ["set", "title", "laptop's"])
        try CLI.ok(phone, ["set", "title", "phone's"])
        try CLI.ok(laptop, ["sync"])
        let conflicted = try CLI.run(["sync", "--json", "-C", phone])
        #expect(conflicted.status == 1)
        let outcome = try branches(conflicted.text)
        #expect(outcome.first?["action"] as? String == "conflicts" && outcome.first?["pushed"] as? Bool == false)
        #expect(outcome.first?["conflicts"] as? [String] == ["title"])
        #expect(try CLI.ok(phone, ["get", "title"]) == "phone's")

        #expect(try CLI.ok(phone, ["sync", "--on-conflict", "ours"]).hasPrefix("origin main: merged "))
        #expect(try CLI.ok(server, ["get", "title"]) == "phone's")

        let unknown = try CLI.run(["sync", "nowhere", "-C", phone])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no remote named \"nowhere\""))
        let badAttempts = try CLI.run(["sync", "--attempts", "0", "-C", phone])
        #expect(badAttempts.status != 0 && badAttempts.stderr.contains("--attempts must be at least 1"))
        try GitRunner.run(["fsck", "--strict"], in: server)
    }

    /// `sync --live` pulls a change pushed by another store, then exits 0 on SIGTERM or SIGINT.
    @Test(.timeLimit(.minutes(1)), arguments: [SIGTERM, SIGINT])
    func liveSyncFollowsAndStopsCleanlyOnSignal(signal: Int32) async throws {
        try await offPool {
            let dir = TemporaryDirectory()
            let server = dir.appending("server")
            try CLI.ok(server, ["init"])
            try CLI.ok(server, ["set", "seed", "1"])
            let serve = try ServeProcess(repo: server)
            defer { serve.stop(SIGKILL) }
            let laptop = dir.appending("laptop"), phone = dir.appending("phone")
            #expect(try CLI.run(["clone", serve.url, laptop]).status == 0)
            #expect(try CLI.run(["clone", serve.url, phone]).status == 0)

            let log = dir.appending("live.log")
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let live = Process()
            live.executableURL = URL(fileURLWithPath: CLI.executable)
            live.arguments = ["sync", "--live", "-C", laptop]
            live.environment = CLI.environment()
            live.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            live.standardError = FileHandle.nullDevice
            try live.run()
            defer { if live.isRunning { kill(live.processIdentifier, SIGKILL) } }

            try CLI.ok(phone, ["set", "from/phone", "hello"])
            try CLI.ok(phone, ["sync"])
            #expect(Self.eventually { (try? CLI.ok(laptop, ["get", "from/phone"])) == "hello" },
                    "not pulled: \(String(describing: try? String(contentsOfFile: log, encoding: .utf8)))")
            try CLI.ok(laptop, ["set", "from/laptop", "hi"])
            #expect(Self.eventually { (try? CLI.ok(server, ["get", "from/laptop"])) == "hi" },
                    "not pushed: \(String(describing: try? String(contentsOfFile: log, encoding: .utf8)))")

            kill(live.processIdentifier, signal)
            live.waitUntilExit()
            #expect(live.terminationReason == .exit && live.terminationStatus == 0)
            let printed = try String(contentsOfFile: log, encoding: .utf8)
            #expect(printed.contains("origin: following its change stream"), "\(printed)")
            #expect(printed.contains("origin main: fast-forwarded to "), "\(printed)")
        }
    }

    /// Polls `condition` for up to 20 s; returns whether it came true.
    static func eventually(_ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }
}
