import BanyanTestSupport
import Foundation
import Testing

/// `banyan serve` killed with SIGKILL while a push of a sizable pack is on
/// its way in or being stored: the repository stays `banyan fsck`- and
/// `git fsck --strict`-clean, and `main` is either where it was or at the
/// pushed commit, complete; a later push goes through.
@Suite("Server killed mid-push", .serialized)
struct ServerKillTests {
    /// A git repository cloned from `server` with ~16 MiB of incompressible
    /// files added in two commits; returns it and the pushed commit.
    func makePush(from server: String, in dir: TemporaryDirectory) throws -> (work: String, head: String) {
        let work = dir.appending("work")
        try GitRunner.run(["clone", "-q", server, work])
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        defer { try? random.close() }
        for commit in 0..<2 {
            for file in 0..<64 {
                try random.readData(ofLength: 128 << 10).write(to: URL(fileURLWithPath: "\(work)/blob-\(commit)-\(file)"))
            }
            try GitRunner.run(["add", "-A"], in: work)
            try GitRunner.run(["commit", "-q", "-m", "bulk \(commit)"], in: work)
        }
        return (work, try GitRunner.run(["rev-parse", "HEAD"], in: work).text)
    }

    /// The receive-pack request `git push` would send for `head` onto `old`, as bytes.
    func receivePackRequest(work: String, old: String, head: String) throws -> Data {
        let pack = try GitRunner.run(["pack-objects", "--stdout", "--revs", "--thin", "-q"], in: work,
                                     input: Data("\(head)\n^\(old)\n".utf8)).stdout
        let command = "\(old) \(head) refs/heads/main\0report-status\n"
        return Data(String(format: "%04x", command.utf8.count + 4).utf8) + Data(command.utf8) + Data("0000".utf8) + pack
    }

    /// Both fscks pass and `main` is `old` or `head`; returns where it is.
    func checkClean(_ server: String, old: String, head: String, _ context: String) throws -> String {
        let fsck = try CLI.run(["fsck", "-C", server])
        #expect(fsck.status == 0, "\(context): banyan fsck: \(fsck.text) \(fsck.stderr)")
        let git = try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: server, check: false)
        #expect(git.status == 0, "\(context): git fsck: \(git.stderr)")
        let main = try GitRunner.run(["rev-parse", "main"], in: server).text
        #expect(main == old || main == head, "\(context): main moved to \(main)")
        return main
    }

    @Test(.timeLimit(.minutes(5)))
    func killedServerLeavesTheRepositoryClean() async throws {
        // Minutes of child processes: off the cooperative pool (see `offPool`).
        try await offPool { try Self().run() }
    }

    func run() throws {
        let dir = TemporaryDirectory("banyan-kill")
        let server = dir.appending("server")
        try CLI.ok(server, ["init"])
        try CLI.ok(server, ["set", "seed", "1", "-m", "seed"])
        let old = try GitRunner.run(["rev-parse", "main"], in: server).text
        let (work, head) = try makePush(from: server, in: dir)
        let request = try receivePackRequest(work: work, old: old, head: head)
        try request.write(to: URL(fileURLWithPath: dir.appending("request")))

        // Mid-receive: curl sends the request at 2 MiB/s and the server dies
        // a second in, with most of the body still to come.
        let serve = try ServeProcess(repo: server)
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = ["curl", "-s", "-o", "/dev/null", "--limit-rate", "2M", "--data-binary", "@" + dir.appending("request"),
                          "-H", "Content-Type: application/x-git-receive-pack-request", serve.url + "git-receive-pack"]
        try curl.run()
        usleep(1_000_000)
        #expect(curl.isRunning, "the upload finished before the kill")
        serve.stop(SIGKILL)
        curl.waitUntilExit()
        #expect(try checkClean(server, old: old, head: head, "killed mid-receive") == old)

        // Real `git push`, the server killed at a random moment: while it
        // receives, indexes, stores or answers.
        var generator = SystemRandomNumberGenerator()
        for round in 0..<4 {
            guard try GitRunner.run(["rev-parse", "main"], in: server).text == old else { break }
            let serve = try ServeProcess(repo: server)
            let push = Process()
            push.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            push.arguments = ["git", "-C", work, "push", "-q", serve.url, "main"]
            push.environment = GitRunner.baseEnvironment
            push.standardError = FileHandle.nullDevice
            try push.run()
            usleep(UInt32.random(in: 200_000...2_500_000, using: &generator))
            serve.stop(SIGKILL)
            push.waitUntilExit()
            _ = try checkClean(server, old: old, head: head, "round \(round)")
        }

        // The repository still takes the push.
        let serveAgain = try ServeProcess(repo: server)
        defer { serveAgain.stop() }
        try GitRunner.run(["-C", work, "push", "-q", serveAgain.url, "main"])
        #expect(try checkClean(server, old: old, head: head, "after the last push") == head)
    }
}
