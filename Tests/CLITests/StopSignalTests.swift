import BanyanTestSupport
import Foundation
import Testing

/// `banyan serve` and `banyan watch` stopped by SIGTERM or SIGINT while they
/// work: each exits 0 within 5 s; the server answers or cuts off every
/// request, ends its SSE streams, and leaves the store `git fsck`-clean
/// with every acknowledged write on `main`.
@Suite("Stopping serve and watch by signal", .serialized)
struct StopSignalTests {
    /// Four writers PUT keys over keep-alive connections (curl's URL globbing:
    /// one connection, one request after another), an SSE stream is open and
    /// an upload drips in at 20 KiB/s when the signal comes.
    @Test(.timeLimit(.minutes(2)), arguments: [SIGTERM, SIGINT])
    func serveUnderLoadStopsCleanly(signal: Int32) async throws {
        try await offPool { try Self.serveUnderLoad(signal: signal) }
    }

    static func serveUnderLoad(signal: Int32) throws {
        let dir = TemporaryDirectory("banyan-stop-serve")
        let repo = dir.appending("store")
        try CLI.ok(repo, ["init"])
        try CLI.ok(repo, ["set", "seed", "1"])
        let serve = try ServeProcess(repo: repo)

        // Outputs go to files, so no reader can fall behind and hold a process up.
        let events = dir.appending("events")
        let sse = try curl(["-sN", serve.url + "api/v1/watch/main"], output: events)
        for _ in 0..<250 where !(try text(events)).hasPrefix(": watching main") { usleep(20_000) }
        #expect(try text(events).hasPrefix(": watching main"), "the SSE stream did not open")

        let writers = try (0..<4).map { writer in
            let output = dir.appending("writer-\(writer)")
            let process = try curl(["-s", "-o", "/dev/null", "-w", "%{http_code} %{url_effective}\\n", "-X", "PUT",
                                    "--fail-early", "--data-binary", "value-\(writer)",
                                    serve.url + "api/v1/kv/main/w\(writer)/k[1-100000]"],
                                   output: output)
            return (process: process, output: output)
        }
        let body = dir.appending("body")
        try Data(repeating: 0x61, count: 1 << 20).write(to: URL(fileURLWithPath: body))
        let slow = try curl(["-s", "-o", "/dev/null", "--limit-rate", "20K", "-X", "PUT", "--data-binary", "@" + body,
                             serve.url + "api/v1/kv/main/slow"], output: dir.appending("slow"))

        usleep(1_500_000)
        #expect(writers.allSatisfy(\.process.isRunning) && slow.isRunning, "the load ended before the signal")
        let clock = ContinuousClock()
        let start = clock.now
        kill(serve.process.processIdentifier, signal)
        serve.process.waitUntilExit()
        let elapsed = clock.now - start

        #expect(serve.process.terminationReason == .exit && serve.process.terminationStatus == 0,
                "serve ended with \(serve.process.terminationStatus): \(serve.stderr)")
        #expect(elapsed < .seconds(5), "serve took \(elapsed) to stop")
        #expect(!serve.stderr.contains("still busy"), "serve needed the hard deadline: \(serve.stderr)")

        // The stream was ended by the server (curl exits 0 on a complete
        // response) after the commits made while it was open.
        sse.waitUntilExit()
        #expect(sse.terminationStatus == 0, "the SSE stream did not end cleanly")
        let streamed = try text(events)
        #expect(streamed.contains("event: update"))

        // Every PUT answered 2xx is on main with its value; the rest got no answer.
        var acknowledged: [String: String] = [:]
        for (writer, entry) in writers.enumerated() {
            entry.process.waitUntilExit()
            let lines = try text(entry.output)
            for line in lines.split(separator: "\n") {
                let fields = line.split(separator: " ", maxSplits: 1)
                guard fields.count == 2, fields[0].hasPrefix("2"), let range = fields[1].range(of: "/kv/main/") else {
                    #expect(fields.first == "000", "an answer that is neither 2xx nor none: \(line)")
                    continue
                }
                acknowledged[String(fields[1][range.upperBound...])] = "value-\(writer)"
            }
        }
        slow.waitUntilExit()
        #expect(acknowledged.count >= 4, "too few writes got through: \(acknowledged.count)")

        let fsck = try CLI.run(["fsck", "-C", repo])
        #expect(fsck.status == 0, "banyan fsck: \(fsck.text) \(fsck.stderr)")
        let gitFsck = try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: repo, check: false)
        #expect(gitFsck.status == 0, "git fsck: \(gitFsck.stderr)")
        let listing = try GitRunner.run(["ls-tree", "-r", "main"], in: repo).text
        var stored: [String: String] = [:]
        for line in listing.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1)
            stored[String(parts[1])] = String(parts[0].split(separator: " ")[2])
        }
        let blobs = Dictionary(uniqueKeysWithValues: try (0..<4).map { writer in
            ("value-\(writer)", try GitRunner.run(["hash-object", "--stdin"], input: Data("value-\(writer)".utf8)).text)
        })
        let missing = acknowledged.filter { key, value in stored[key] != blobs[value] }
        #expect(missing.isEmpty, "acknowledged writes missing from main: \(missing.keys.sorted().prefix(10))")
        for key in acknowledged.keys.sorted().prefix(3) {
            #expect(try CLI.ok(repo, ["get", key]) == acknowledged[key])
        }
    }

    /// A watch whose command is running when the signal comes lets it finish,
    /// then exits 0.
    @Test(.timeLimit(.minutes(1)))
    func watchLetsTheRunningCommandFinish() async throws {
        try await offPool {
            let dir = TemporaryDirectory("banyan-stop-watch")
            let stopped = try Self.stopWatch(in: dir, running: "sleep 1; cat > \(dir.appending("sink"))")
            #expect(stopped.status == 0, "watch ended with \(stopped.status): \(stopped.stderr)")
            #expect(stopped.elapsed < .seconds(5), "watch took \(stopped.elapsed) to stop")
            let received = try String(contentsOfFile: dir.appending("sink"), encoding: .utf8)
            #expect(received.contains("\"key\":\"late\""), "the command did not get its change: \(received)")
        }
    }

    /// A command that outlives the grace period (ignoring SIGTERM, as does
    /// the program it started) is killed with its process group; watch still
    /// exits 0 within 5 s.
    @Test(.timeLimit(.minutes(1)), arguments: [SIGTERM, SIGINT])
    func watchEndsACommandThatDoesNotFinish(signal: Int32) async throws {
        try await offPool {
            let dir = TemporaryDirectory("banyan-stop-watch")
            let stopped = try Self.stopWatch(in: dir, running: "trap '' TERM; sleep 60", signal: signal)
            #expect(stopped.status == 0, "watch ended with \(stopped.status): \(stopped.stderr)")
            #expect(stopped.elapsed < .seconds(5), "watch took \(stopped.elapsed) to stop")
            #expect(stopped.stderr.contains("command ended by signal 9"), "\(stopped.stderr)")
            #expect(!stopped.stderr.contains("still busy"), "watch needed the hard deadline: \(stopped.stderr)")
        }
    }

    /// Starts `banyan watch -- sh -c 'touch started; script'` on a new store,
    /// commits `late`, waits until the command runs, sends `signal` and waits
    /// for watch to end; returns its exit status (128 + N for signal N), its
    /// stderr and how long it took after the signal.
    static func stopWatch(in dir: TemporaryDirectory, running script: String,
                          signal: Int32 = SIGTERM) throws -> (status: Int32, stderr: String, elapsed: Duration) {
        let repo = dir.appending("store")
        let started = dir.appending("started")
        try CLI.ok(repo, ["init"])
        let seed = try CLI.ok(repo, ["set", "seed", "1"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let watch = Process()
        watch.executableURL = URL(fileURLWithPath: CLI.executable)
        watch.arguments = ["watch", "-C", repo, "--since", seed, "--interval", "20", "--", "sh", "-c", "touch \(started); " + script]
        watch.environment = CLI.environment()
        let err = Pipe()
        watch.standardOutput = FileHandle.nullDevice
        watch.standardError = err
        try watch.run()
        defer { if watch.isRunning { kill(watch.processIdentifier, SIGKILL) } }
        try CLI.ok(repo, ["set", "late", "1"])
        for _ in 0..<300 where !FileManager.default.fileExists(atPath: started) { usleep(20_000) }
        try #require(FileManager.default.fileExists(atPath: started), "the command never started")
        let clock = ContinuousClock()
        let start = clock.now
        kill(watch.processIdentifier, signal)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        watch.waitUntilExit()
        let elapsed = clock.now - start
        let status = watch.terminationReason == .exit ? watch.terminationStatus : 128 + watch.terminationStatus
        return (status, stderr, elapsed)
    }

    /// Starts `curl arguments` with its stdout written to the file `output`.
    static func curl(_ arguments: [String], output: String) throws -> Process {
        guard FileManager.default.createFile(atPath: output, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl"] + arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The text of the file `path`.
    static func text(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }
}
