import BanyanTestSupport
import Foundation
import Testing

@Suite("banyan CLI")
struct CLITests {
    let dir = TemporaryDirectory("banyan-cli")
    var repo: String { dir.appending("store") }

    init() throws {
        _ = try CLI.ok(dir.appending("store"), ["init"])
    }

    @Test func setGetAndRemove() throws {
        try CLI.ok(repo, ["set", "notes/a", "hello", "-m", "add a", "--author", "Ada <ada@example.com>"])
        #expect(try CLI.ok(repo, ["get", "notes/a"]) == "hello")
        let binary = Data([0, 1, 2, 255, 10, 13, 0])
        try CLI.ok(repo, ["set", "blob/bin"], input: binary)
        #expect(try CLI.run(["get", "blob/bin", "-C", repo]).stdout == binary)
        #expect(try GitRunner.run(["log", "-1", "--format=%an <%ae>|%s", "main~1"], in: repo).text == "Ada <ada@example.com>|add a")
        try CLI.ok(repo, ["rm", "notes/a", "-m", "drop"])
        let missing = try CLI.run(["get", "notes/a", "-C", repo])
        #expect(missing.status == 1)
        #expect(missing.stdout.isEmpty)
        #expect(missing.stderr.contains("notes/a"))
        let rmMissing = try CLI.run(["rm", "nothing/here", "-C", repo])
        #expect(rmMissing.status == 1)
        try GitRunner.run(["fsck", "--strict"], in: repo)
    }

    @Test func invalidKeysAreRejectedWithAClearErrorAndNothingWritten() throws {
        try CLI.ok(repo, ["set", "k", "v"])
        let head = try CLI.ok(repo, ["snapshot"])
        for bad in ["a//b", "../x", ".git/config", "a/./b", "/abs"] {
            let result = try CLI.run(["set", bad, "v", "-C", repo])
            #expect(result.status != 0, "\(bad)")
            #expect(result.stderr.contains("banyan:"), "\(bad)")
        }
        #expect(try CLI.ok(repo, ["snapshot"]) == head)
    }

    @Test func listShowsDirectoriesWithATrailingSlash() throws {
        try CLI.ok(repo, ["import"], input: Data("a/x\t1\na/y/z\t2\nb\t3\n".utf8))
        #expect(try CLI.ok(repo, ["ls"]) == "a/\nb")
        #expect(try CLI.ok(repo, ["ls", "a"]) == "a/x\na/y/")
        #expect(try CLI.ok(repo, ["ls", "-r"]) == "a/x\na/y/z\nb")
        #expect(try CLI.ok(repo, ["ls", "a/", "-r"]) == "a/x\na/y/z")
    }

    @Test func importWritesOneCommitOrNothing() throws {
        try CLI.ok(repo, ["import", "-m", "bulk"], input: Data("k1\tv1\nk2\tv2 with spaces\n\nk3\t\n".utf8))
        #expect(try CLI.ok(repo, ["get", "k2"]) == "v2 with spaces")
        #expect(try CLI.ok(repo, ["get", "k3"]) == "")
        #expect(try CLI.ok(repo, ["log", "--json"]).contains("\"message\" : \"bulk\\n\""))
        let head = try CLI.ok(repo, ["snapshot"])
        let bad = try CLI.run(["import", "-C", repo], input: Data("ok\t1\nno-tab-here\n".utf8))
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("line 2"))
        let badKey = try CLI.run(["import", "-C", repo], input: Data("ok\t1\n../x\t2\n".utf8))
        #expect(badKey.status != 0)
        #expect(try CLI.ok(repo, ["snapshot"]) == head)
    }

    @Test func logBranchDiffResetAndRevParse() throws {
        let c1 = try CLI.ok(repo, ["set", "k", "1", "-m", "one"])
        let c2 = try CLI.ok(repo, ["set", "k", "2", "-m", "two"])
        #expect(try CLI.ok(repo, ["branch", "create", "dev", "--from", c1]) == c1)
        #expect(try CLI.ok(repo, ["branch"]) == "  dev\n* main")
        try CLI.ok(repo, ["set", "other", "x", "-b", "dev"])
        #expect(try CLI.ok(repo, ["get", "k", "-b", "dev"]) == "1")
        #expect(try CLI.ok(repo, ["get", "k", "--at", "main~1"]) == "1")
        #expect(try CLI.ok(repo, ["diff", "main", "dev"]) == "M\tk\nA\tother")
        #expect(try CLI.ok(repo, ["diff", "main", "dev", "--json"]).contains("\"kind\" : \"added\""))
        let log = try CLI.ok(repo, ["log", "-n", "1"])
        #expect(log.hasPrefix("commit \(c2)\nAuthor: "))
        #expect(log.hasSuffix("\n\n    two"))
        #expect(try CLI.ok(repo, ["rev-parse", "main^"]) == c1)
        #expect(try CLI.ok(repo, ["rev-parse", String(c2.prefix(8))]) == c2)
        #expect(try CLI.ok(repo, ["rev-parse", "HEAD"]) == (try GitRunner.run(["rev-parse", "HEAD"], in: repo).text))
        try CLI.ok(repo, ["reset", c1])
        #expect(try CLI.ok(repo, ["snapshot"]) == c1)
        #expect(try GitRunner.run(["reflog", "show", "--format=%H", "main"], in: repo).text.hasPrefix(c1 + "\n" + c2))
        try CLI.ok(repo, ["branch", "delete", "dev"])
        #expect(try CLI.ok(repo, ["branch"]) == "* main")
        #expect(try CLI.run(["branch", "delete", "main", "-C", repo]).status != 0)
    }

    @Test func catFileMatchesGitByteForByte() throws {
        try CLI.ok(repo, ["import"], input: Data("dir/a\talpha\ndir/b\tbeta\ntop\ttop value\n".utf8))
        try CLI.ok(repo, ["set", "dir/a", "changed"])
        let names = ["main", "main^", "main:dir", "main:dir/a", "main^{tree}", "nonexistent", "main:missing",
                     String((try CLI.ok(repo, ["rev-parse", "main"])).prefix(7)), "HEAD~1:top"]
        let input = Data((names.joined(separator: "\n") + "\n").utf8)
        // As Banyan wrote them, then repacked by git with deltas (sizes and
        // types then come from entry headers and delta chains).
        for packing in ["banyan", "git repack -adf"] {
            if packing != "banyan" {
                let long = (0..<200).map { "line \($0) of a value long enough to delta" }.joined(separator: "\n")
                try CLI.ok(repo, ["set", "long", long])
                try CLI.ok(repo, ["set", "long", long + "\none more line"])
                try GitRunner.run(["repack", "-adf", "-q", "--window=10"], in: repo)
                let deltas = try GitRunner.run(["cat-file", "--batch-all-objects", "--batch-check=%(deltabase)"], in: repo).text
                #expect(deltas.split(separator: "\n").contains { !$0.allSatisfy { $0 == "0" } }, "git made no delta")
            }
            let ids = try GitRunner.run(["cat-file", "--batch-all-objects", "--batch-check=%(objectname)"], in: repo).stdout
            for (mode, input) in [("--batch", input), ("--batch-check", input), ("--batch-check", ids)] {
                let ours = try CLI.run(["cat-file", mode, "-C", repo], input: input)
                let theirs = try GitRunner.run(["cat-file", mode], in: repo, input: input)
                #expect(ours.status == 0)
                #expect(ours.stdout == theirs.stdout, "\(mode), \(packing)")
            }
            for object in ["main", "main:dir", "main:dir/a"] {
                for flag in ["-t", "-s", "-p"] {
                    #expect(try CLI.ok(repo, ["cat-file", flag, object]) == (try GitRunner.run(["cat-file", flag, object], in: repo).text),
                            "\(flag) \(object), \(packing)")
                }
            }
        }
        let missing = try CLI.run(["cat-file", "--batch-check", "-C", repo], input: input)
        #expect(String(decoding: missing.stdout, as: UTF8.self).contains("nonexistent missing\n"))
    }

    @Test func fsckPassesOnACleanStoreAndNamesCorruption() throws {
        try CLI.ok(repo, ["set", "a/b", "v"])
        #expect(try CLI.ok(repo, ["fsck"]) == "")
        let packs = try FileManager.default.contentsOfDirectory(atPath: repo + "/objects/pack").filter { $0.hasSuffix(".pack") }
        #expect(packs.count == 1)
        let pack = repo + "/objects/pack/" + packs[0]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: pack))
        bytes[14] ^= 0xff   // inside the zlib data of the first entry
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: pack)
        try bytes.write(to: URL(fileURLWithPath: pack))
        let result = try CLI.run(["fsck", "-C", repo])
        // git's exit bits: 1 for the unreadable object, 2 for what it leaves unreachable.
        #expect(result.status & 1 == 1)
        #expect(result.stderr.contains("object corrupt or missing"), "\(result.stderr)")
    }

    @Test func sha256StoresWorkEndToEnd() throws {
        let path = dir.appending("sha256")
        #expect(try CLI.run(["init", path, "--object-format", "sha256", "--initial-branch", "trunk"]).status == 0)
        let head = try CLI.ok(path, ["set", "k", "v"])
        #expect(head.count == 64)
        #expect(try CLI.ok(path, ["branch"]) == "* trunk")
        try GitRunner.run(["fsck", "--strict"], in: path)
        #expect(try GitRunner.run(["cat-file", "-p", "trunk:k"], in: path).text == "v")
    }

    @Test func repositoryFromEnvironmentAndHelp() throws {
        try CLI.ok(repo, ["set", "k", "from-flag"])
        let viaEnv = try CLI.run(["get", "k"], environment: ["BANYAN_REPO": repo])
        #expect(viaEnv.text == "from-flag")
        let viaCwd = try CLI.run(["get", "k"], in: repo)
        #expect(viaCwd.text == "from-flag")
        for command in ["", "init", "set", "get", "rm", "ls", "import", "log", "branch", "branch create", "diff",
                        "reset", "snapshot", "rev-parse", "cat-file", "fsck", "demo"] {
            let args = command.split(separator: " ").map(String.init) + ["--help"]
            let help = try CLI.run(args)
            #expect(help.status == 0, "\(command)")
            #expect(help.text.contains("USAGE"), "\(command)")
        }
        let notARepo = try CLI.run(["get", "k", "-C", dir.path])
        #expect(notARepo.status != 0)
        #expect(notARepo.stderr.contains(dir.path))
    }

    @Test func demoRunsAndLeavesAValidRepository() throws {
        let path = dir.appending("demo")
        let result = try CLI.run(["demo", "--path", path])
        #expect(result.status == 0)
        #expect(result.text.contains("fsck: every object and branch checks out"))
        try GitRunner.run(["fsck", "--strict"], in: path)
        #expect(try GitRunner.run(["rev-list", "--count", "main"], in: path).text == "7")
        #expect(try GitRunner.run(["rev-list", "--merges", "--count", "main"], in: path).text == "1")
    }

    /// Several processes commit to one branch at once: every write lands.
    @Test func concurrentProcessesLoseNoUpdate() throws {
        try CLI.ok(repo, ["set", "seed", "0"])
        let processes = 4, writes = 8
        let failures = NSLock()
        nonisolated(unsafe) var errors: [String] = []
        DispatchQueue.concurrentPerform(iterations: processes) { p in
            for w in 0..<writes {
                let result = try? CLI.run(["set", "p\(p)/w\(w)", "\(p)-\(w)", "-C", repo])
                if result?.status != 0 {
                    failures.withLock { errors.append(result?.stderr ?? "did not run") }
                }
            }
        }
        #expect(errors.isEmpty)
        let keys = try CLI.ok(repo, ["ls", "-r"]).split(separator: "\n")
        #expect(keys.count == processes * writes + 1)
        #expect(try GitRunner.run(["rev-list", "--count", "main"], in: repo).text == String(processes * writes + 1))
        try GitRunner.run(["fsck", "--strict"], in: repo)
    }
}
