import Banyan
import BanyanTestSupport
import Foundation
import Synchronization
import Testing

/// Pushes through several `banyan serve` nodes on one PostgreSQL store:
/// Banyan devices pushing through different nodes at once, and a node
/// killed while git pushes through it.
@Suite struct PostgresNodePushTests {
    /// A new PostgreSQL store with one commit on `main`, served by `nodes` `banyan serve` processes.
    static func servedStore(_ label: String, nodes: Int) throws -> (url: String, nodes: [ServeProcess]) {
        let url = try PostgresTestServer.freshStoreURL(label)
        try CLI.ok(url, ["init"])
        try CLI.ok(url, ["set", "seed", "1", "-m", "seed"])
        return (url, try (0..<nodes).map { _ in try ServeProcess(repo: url) })
    }

    @Test("three devices push through three nodes at once: their own branches, then main raced with banyan sync; nothing acknowledged is lost")
    func devicesPushThroughDifferentNodesAtOnce() throws {
        let (url, nodes) = try Self.servedStore("push-nodes", nodes: 3)
        defer { for node in nodes { node.stop() } }
        let dir = TemporaryDirectory("banyan-pg-push")
        let devices = try (0..<3).map { index in
            let path = dir.appending("device-\(index).git")
            let cloned = try CLI.run(["clone", nodes[index].url, path])
            guard cloned.status == 0 else { throw ProcessRunner.Failure(command: "banyan clone", result: cloned) }
            return path
        }

        // Each device's own branch, pushed through its own node, all at once.
        let rounds = 6
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: devices.count) { index in
            do {
                try CLI.ok(devices[index], ["branch", "create", "device-\(index)"])
                for round in 0..<rounds {
                    try CLI.ok(devices[index], ["set", "-b", "device-\(index)", "d\(index)/r\(round)", "x", "-m", "d\(index) r\(round)"])
                    try CLI.ok(devices[index], ["push", "origin", "device-\(index)"])
                }
            } catch { failures.withLock { $0.append("device \(index): \(error)") } }
        }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        for index in 0..<devices.count {
            #expect(try CLI.ok(url, ["rev-parse", "device-\(index)"]) == (try CLI.ok(devices[index], ["rev-parse", "device-\(index)"])))
        }

        // main, written on every device and synced through its node at once:
        // the nodes' compare-and-swaps order the pushes, the losers merge and retry.
        DispatchQueue.concurrentPerform(iterations: devices.count) { index in
            do {
                for round in 0..<rounds {
                    try CLI.ok(devices[index], ["set", "main/d\(index)/r\(round)", "y", "-m", "main d\(index) r\(round)"])
                    try CLI.ok(devices[index], ["sync", "--attempts", "20"])
                }
            } catch { failures.withLock { $0.append("device \(index): \(error)") } }
        }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        let keys = Set(try CLI.ok(url, ["ls", "-r", "main"]).split(separator: "\n").map(String.init))
        let expected = Set((0..<devices.count).flatMap { index in (0..<rounds).map { "main/d\(index)/r\($0)" } })
        #expect(keys == expected, "missing: \(expected.subtracting(keys).sorted())")
        let clone = dir.appending("check.git")
        try GitRunner.run(["clone", "-q", "--mirror", nodes[2].url, clone])
        try GitRunner.run(["fsck", "--strict"], in: clone)
        let messages = try GitRunner.run(["log", "--format=%s", "main"], in: clone).text.split(separator: "\n")
        for key in expected {
            let message = "main " + key.dropFirst("main/".count).replacingOccurrences(of: "/", with: " ")
            #expect(messages.filter { $0 == message }.count == 1, "\(message) is in the history \(messages.filter { $0 == message }.count) times")
        }
    }

    @Test("a node killed during a git push: the push fails or lands whole, the store stays whole, and the push succeeds through another node")
    func aNodeKilledDuringAGitPush() async throws {
        try await offPool(heavy: true) {
            let (url, nodes) = try Self.servedStore("push-kill", nodes: 2)
            defer { for node in nodes { node.stop() } }
            let dir = TemporaryDirectory("banyan-pg-kill-push")
            let work = dir.appending("work")
            try GitRunner.run(["clone", "-q", nodes[0].url, work])
            let before = try CLI.ok(url, ["rev-parse", "main"])
            // Enough to take a while to store: 3,000 files of 2 KB of noise in 30 commits.
            var random = SeededRandom(seed: 21)
            for commit in 0..<30 {
                for file in 0..<100 {
                    let words = (0..<256).map { _ in random.next() }
                    try words.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: "\(work)/f\(commit)-\(file)"))
                }
                try GitRunner.run(["add", "."], in: work)
                try GitRunner.run(["commit", "-q", "-m", "bulk \(commit)"], in: work)
            }
            let pushed = try GitRunner.run(["rev-parse", "HEAD"], in: work).text

            let push = Process()
            push.executableURL = URL(fileURLWithPath: "/usr/bin/git")
            push.arguments = ["-C", work, "push", "-q", "origin", "HEAD:main"]
            push.standardError = FileHandle.nullDevice
            push.standardOutput = FileHandle.nullDevice
            try push.run()
            usleep(400_000)
            // The push takes about a second here; one that ended already would test nothing.
            #expect(push.isRunning, "the push ended before the node was killed")
            nodes[0].stop(SIGKILL)
            push.waitUntilExit()

            let after = try CLI.ok(url, ["rev-parse", "main"])
            if push.terminationStatus == 0 {
                #expect(after == pushed, "git push succeeded but main is \(after)")
            } else {
                #expect(after == before || after == pushed, "main moved to \(after), neither the old head nor the pushed one")
            }
            let checked = try CLI.run(["-C", url, "fsck"])
            #expect(checked.status == 0, "banyan fsck after the kill: \(checked.text) \(checked.stderr)")

            try GitRunner.run(["remote", "set-url", "origin", nodes[1].url], in: work)
            try GitRunner.run(["push", "-q", "origin", "HEAD:main"], in: work)
            #expect(try CLI.ok(url, ["rev-parse", "main"]) == pushed)
            let clone = dir.appending("check.git")
            try GitRunner.run(["clone", "-q", "--mirror", nodes[1].url, clone])
            try GitRunner.run(["fsck", "--strict"], in: clone)
            #expect(try GitRunner.run(["rev-list", "--count", "main"], in: clone).text == "31")
        }
    }
}
