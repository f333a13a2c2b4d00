import Banyan
import BanyanTestSupport
import Foundation
import Testing

@Suite("banyan watch, cross-process watches")
struct WatchCLITests {
    let dir = TemporaryDirectory("banyan-cli-watch")
    var repo: String { dir.appending("store") }

    init() throws {
        _ = try CLI.ok(dir.appending("store"), ["init"])
        try CLI.ok(repo, ["set", "seed", "0"])
    }

    @Test func aWatchSeesCommitsMadeByAnotherProcess() async throws {
        let store = try Repository.open(at: repo)
        let changes = try store.branch("main").changes(prefix: try Key("notes"), pollInterval: .milliseconds(50))
        let watching = Task { try await collect(changes, count: 3, timeout: .seconds(60)) }
        var ids: [String] = []
        for (name, value) in [("notes/a", "1"), ("other", "x"), ("notes/b", "2"), ("notes/a", "3")] {
            let id = try CLI.ok(repo, ["set", name, value]).trimmingCharacters(in: .whitespacesAndNewlines)
            if name.hasPrefix("notes/") { ids.append(id) }
        }
        let updates = try await watching.value
        #expect(updates.map { $0.new?.hex } == ids)
        #expect(updates.map { $0.changes.map(\.kind) } == [[.added], [.added], [.changed]])
        #expect(try text(store.branch("main").get(try Key("notes/a"))) == "3")
    }

    @Test func watchRunsTheCommandPerChangeWithTheChangeAsJSON() throws {
        let since = try CLI.ok(repo, ["snapshot"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let a = try CLI.ok(repo, ["set", "notes/a", "1"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try CLI.ok(repo, ["set", "other", "1"])
        let b = try CLI.ok(repo, ["rm", "notes/a"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let sink = dir.appending("sink")
        let result = try CLI.run(["watch", "-C", repo, "notes", "--since", since, "--max-count", "2", "--json", "--",
                                  "sh", "-c", "cat >> \(sink)"])
        #expect(result.status == 0)
        let output = result.text
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0].contains("\"new\":\"\(a)\"") && lines[0].contains("\"kind\":\"added\""))
        #expect(lines[1].contains("\"new\":\"\(b)\"") && lines[1].contains("\"kind\":\"removed\""))
        let received = try String(contentsOfFile: sink, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(received == lines)
        let plain = try CLI.ok(repo, ["watch", "--since", since, "--max-count", "3"])
        #expect(plain.split(separator: "\n").map { $0.split(separator: " ").dropFirst().joined(separator: " ") }
                == ["+notes/a", "+other", "-notes/a"])
    }

    @Test func watchFollowsAWriterStartedAfterIt() throws {
        let since = try CLI.ok(repo, ["snapshot"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: CLI.executable)
        watcher.arguments = ["watch", "-C", repo, "--since", since, "--max-count", "2", "--interval", "50"]
        let out = Pipe()
        watcher.standardOutput = out
        try watcher.run()
        try CLI.ok(repo, ["set", "k1", "1"])
        try CLI.ok(repo, ["set", "k2", "2"])
        let data = out.fileHandleForReading.readDataToEndOfFile()
        watcher.waitUntilExit()
        #expect(watcher.terminationStatus == 0)
        #expect(String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0.split(separator: " ").last.map(String.init) }
                == ["+k1", "+k2"])
    }

    /// Output to a pipe is held in a block buffer (`ls -r` would make a
    /// system call a line otherwise); a watch writes each change out at once.
    @Test func aWatchWritesEachChangeToAPipeAsItHappens() throws {
        let since = try CLI.ok(repo, ["snapshot"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: CLI.executable)
        watcher.arguments = ["watch", "-C", repo, "--since", since, "--interval", "50"]
        let out = Pipe()
        watcher.standardOutput = out
        try watcher.run()
        defer { watcher.terminate(); watcher.waitUntilExit() }
        try CLI.ok(repo, ["set", "k1", "1"])
        // The watch is still running: only a flush can have delivered the line.
        var received: [UInt8] = []
        var descriptor = pollfd(fd: out.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
        let deadline = Date().addingTimeInterval(30)
        while !received.contains(10), Date() < deadline, poll(&descriptor, 1, 100) >= 0 {
            guard descriptor.revents != 0 else { continue }
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received += chunk
        }
        #expect(String(decoding: received, as: UTF8.self).hasSuffix(" +k1\n"))
    }

    @Test func watchRejectsABadPrefixAndCount() throws {
        #expect(try CLI.run(["watch", "-C", repo, "../x"]).status != 0)
        #expect(try CLI.run(["watch", "-C", repo, "--max-count", "0"]).status != 0)
    }
}

private func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }
