import BanyanTestSupport
import Foundation
import Testing

/// git's plumbing habits (issue 16): `-C PATH` before the subcommand,
/// `cat-file` batch modes answering line by line, bundles as clone and
/// fetch sources.
@Suite("banyan CLI: git's habits")
struct GitHabitsCLITests {
    let dir = TemporaryDirectory("banyan-habits")
    var repo: String { dir.appending("store") }

    init() throws {
        _ = try CLI.ok(dir.appending("store"), ["init"])
        try CLI.ok(repo, ["set", "notes/a", "alpha"])
        try CLI.ok(repo, ["set", "notes/b", "beta"])
    }

    @Test func globalDashCRunsTheCommandAsIfStartedThere() throws {
        let get = try CLI.run(["-C", repo, "get", "notes/a"])
        #expect(get.status == 0)
        #expect(get.text == "alpha")
        // Several compose, each relative to the one before; "" changes nothing.
        let composed = try CLI.run(["-C", dir.path, "-C", "", "-C", "store", "get", "notes/b"])
        #expect(composed.text == "beta")
        // Relative paths in the command resolve from there, as with git -C.
        #expect(try CLI.run(["-C", dir.path, "init", "second"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: dir.appending("second/HEAD")))
        let missing = try CLI.run(["-C", dir.appending("nowhere"), "get", "notes/a"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("nowhere"))
        let bare = try CLI.run(["-C"])
        #expect(bare.status != 0)
        #expect(bare.stderr.contains("-C needs a path"))
    }

    @Test func catFileBatchAnswersEachLineBeforeReadingTheNext() throws {
        for mode in ["--batch", "--batch-check", "--batch-command"] {
            let coprocess = try Coprocess([CLI.executable, "cat-file", mode, "-C", repo])
            for name in ["main:notes/a", "nothing", "main:notes/b"] {
                let query = mode == "--batch-command" ? "contents \(name)" : name
                let expected = try GitRunner.run(["cat-file", mode], in: repo, input: Data((query + "\n").utf8)).stdout
                try coprocess.write(query + "\n")
                #expect(try coprocess.read(count: expected.count) == expected, "\(mode) \(name)")
            }
            #expect(try coprocess.finish() == 0)
        }
    }

    @Test func batchCommandMatchesGitWithAndWithoutBuffer() throws {
        let script = "info main:notes/a\ncontents main:notes/b\ninfo nothing\ncontents HEAD\n"
        for flags in [[], ["--buffer"]] {
            let ours = try CLI.run(["cat-file", "--batch-command"] + flags + ["-C", repo], input: Data(script.utf8))
            let theirs = try GitRunner.run(["cat-file", "--batch-command"] + flags, in: repo, input: Data(script.utf8))
            #expect(ours.status == 0)
            #expect(ours.stdout == theirs.stdout, "\(flags)")
        }
        let flushed = "info main:notes/a\nflush\ninfo main:notes/b\n"
        #expect(try CLI.run(["cat-file", "--batch-command", "--buffer", "-C", repo], input: Data(flushed.utf8)).stdout
                == (try GitRunner.run(["cat-file", "--batch-command", "--buffer"], in: repo, input: Data(flushed.utf8)).stdout))
        // As git: what came before a bad command is answered, then an error.
        for (bad, message) in [("flush\n", "flush is only for --buffer mode"), ("bogus x\n", "unknown command: 'bogus x'"),
                               ("\n", "empty command"), ("info\n", "info requires arguments")] {
            let input = Data(("info main:notes/a\n" + bad).utf8)
            let ours = try CLI.run(["cat-file", "--batch-command", "-C", repo], input: input)
            let theirs = try GitRunner.run(["cat-file", "--batch-command"], in: repo, input: input, check: false)
            #expect(ours.status != 0, "\(bad)")
            #expect(ours.stderr.contains(message), "\(bad): \(ours.stderr)")
            #expect(ours.stdout == theirs.stdout, "\(bad)")
        }
    }

    @Test func cloneAndFetchReadGitBundles() throws {
        let source = dir.appending("source")
        try GitRunner.run(["init", "-q", "-b", "main", source])
        try GitRunner.run(["commit", "-q", "--allow-empty", "-m", "one"], in: source)
        try GitRunner.run(["tag", "-a", "v1", "-m", "first"], in: source)
        try GitRunner.run(["checkout", "-q", "-b", "dev"], in: source)
        try GitRunner.run(["commit", "-q", "--allow-empty", "-m", "two"], in: source)
        try GitRunner.run(["checkout", "-q", "main"], in: source)
        try GitRunner.run(["bundle", "create", "-q", dir.appending("all.bundle"), "--all"], in: source)

        let clone = try CLI.run(["clone", "all.bundle", "copy"], in: dir.path)
        #expect(clone.status == 0, "\(clone.stderr)")
        let copy = dir.appending("copy")
        func refs(_ repo: String) throws -> String {
            try GitRunner.run(["for-each-ref", "--format=%(objectname) %(refname)"], in: repo).text
        }
        // As git clone: branches as origin's, tags as they are, and main checked out.
        var expected = try refs(source).split(separator: "\n").map {
            $0.replacingOccurrences(of: " refs/heads/", with: " refs/remotes/origin/")
        }
        expected.append(try GitRunner.run(["rev-parse", "main"], in: source).text + " refs/heads/main")
        #expect(try refs(copy).split(separator: "\n").map(String.init).sorted() == expected.sorted())
        #expect(try GitRunner.run(["config", "remote.origin.url"], in: copy).text == dir.appending("all.bundle"))
        try GitRunner.run(["fsck", "--strict"], in: copy)

        // An incremental bundle: by path (to refs/remotes/bundle/*) and through the remote.
        try GitRunner.run(["commit", "-q", "--allow-empty", "-m", "three"], in: source)
        try GitRunner.run(["bundle", "create", "-q", dir.appending("next.bundle"), "main~1..main"], in: source)
        let tip = try GitRunner.run(["rev-parse", "main"], in: source).text
        let byPath = try CLI.run(["-C", copy, "fetch", "../next.bundle"])
        #expect(byPath.status == 0, "\(byPath.stderr)")
        #expect(try GitRunner.run(["rev-parse", "refs/remotes/bundle/main"], in: copy).text == tip)
        try FileManager.default.removeItem(atPath: dir.appending("all.bundle"))
        try FileManager.default.moveItem(atPath: dir.appending("next.bundle"), toPath: dir.appending("all.bundle"))
        #expect(try CLI.run(["-C", copy, "fetch"]).status == 0)
        #expect(try GitRunner.run(["rev-parse", "refs/remotes/origin/main"], in: copy).text == tip)
        try GitRunner.run(["fsck", "--strict"], in: copy)
        let shallow = try CLI.run(["-C", copy, "fetch", "--depth", "1"])
        #expect(shallow.status != 0)
        #expect(shallow.stderr.contains("bundle"))
    }
}

/// A child process kept open on two pipes, to talk to it a line at a time.
private final class Coprocess {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()

    init(_ command: [String]) throws {
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = CLI.environment()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    func write(_ text: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    /// Exactly `count` bytes of output, waiting at most 10 s for them: an
    /// answer held back until more input comes fails here.
    func read(count: Int) throws -> Data {
        var data = Data()
        let deadline = Date().addingTimeInterval(10)
        let fd = output.fileHandleForReading.fileDescriptor
        while data.count < count {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let left = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            guard left > 0, poll(&poller, 1, left) > 0 else { break }
            var buffer = [UInt8](repeating: 0, count: count - data.count)
            let got = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            guard got > 0 else { break }
            data.append(contentsOf: buffer[0..<got])
        }
        return data
    }

    /// Closes its input and waits for it to exit; its status.
    func finish() throws -> Int32 {
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
