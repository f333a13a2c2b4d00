import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// A store Banyan writes is a Git repository `git` accepts, and the reverse.
@Suite("Git interop")
struct GitInteropTests {
    @Test(arguments: HashAlgorithm.allCases)
    func gitAcceptsAndReadsWhatBanyanWrote(_ algorithm: HashAlgorithm) throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("store")
        let repo = try Repository.create(at: path, hashAlgorithm: algorithm)
        let main = try repo.branch("main")
        try main.set(key("notes/a"), data("alpha\n"), message: "add a", author: signature(1_700_000_000))
        try main.set(key("notes/b"), data("beta"), message: "add b", author: signature(1_700_000_060))
        try main.set(key("settings.json"), data("{}"), message: "add settings", author: signature(1_700_000_120))
        try main.remove(key("notes/a"), message: "drop a", author: signature(1_700_000_180))
        let dev = try repo.createBranch("dev")
        try dev.set(key("notes/c"), data("gamma"), message: "add c", author: signature(1_700_000_240))
        try repo.flush()

        try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: path)
        #expect(try GitRunner.run(["log", "--format=%s", "main"], in: path).text == "drop a\nadd settings\nadd b\nadd a")
        #expect(try GitRunner.run(["cat-file", "-p", "main:notes/b"], in: path).text == "beta")
        #expect(try GitRunner.run(["ls-tree", "-r", "--name-only", "dev"], in: path).text == "notes/b\nnotes/c\nsettings.json")
        #expect(try GitRunner.run(["rev-parse", "dev"], in: path).text == (try dev.head())?.hex)
        #expect(try GitRunner.run(["log", "-1", "--format=%an <%ae> %at", "main"], in: path).text
            == "Tester <tester@example.com> 1700000180")
        #expect(try GitRunner.run(["reflog", "show", "--format=%gs", "main"], in: path).text
            == "commit: drop a\ncommit: add settings\ncommit: add b\ncommit (initial): add a")
        let clone = dir.appending("clone")
        try GitRunner.run(["clone", "-q", path, clone])
        #expect(try String(contentsOfFile: clone + "/notes/b", encoding: .utf8) == "beta")
    }

    @Test(arguments: HashAlgorithm.allCases)
    func banyanReadsWhatGitWrote(_ algorithm: HashAlgorithm) throws {
        let dir = TemporaryDirectory()
        let work = dir.appending("work")
        try GitRunner.run(["init", "-q", "--object-format=\(algorithm.rawValue)", "-b", "main", work])
        try FileManager.default.createDirectory(atPath: work + "/docs/deep", withIntermediateDirectories: true)
        try "hello\n".write(toFile: work + "/docs/readme", atomically: true, encoding: .utf8)
        try "deep".write(toFile: work + "/docs/deep/file", atomically: true, encoding: .utf8)
        try "top".write(toFile: work + "/top", atomically: true, encoding: .utf8)
        try GitRunner.run(["add", "."], in: work)
        try GitRunner.run(["commit", "-q", "-m", "first"], in: work)
        try GitRunner.run(["rm", "-q", "top"], in: work)
        try GitRunner.run(["commit", "-q", "-m", "second"], in: work)
        try GitRunner.run(["branch", "side", "HEAD~1"], in: work)

        let repo = try Repository.open(at: work)
        let main = try repo.branch("main")
        #expect(text(try main.get(key("docs/readme"))) == "hello\n")
        #expect(text(try main.get(key("docs/deep/file"))) == "deep")
        #expect(try main.find(key("top")) == nil)
        #expect(text(try repo.branch("side").get(key("top"))) == "top")
        #expect(try main.log().map { $0.commit.messageString } == ["second\n", "first\n"])
        #expect(try main.head()?.hex == (try GitRunner.run(["rev-parse", "main"], in: work).text))
        #expect(try repo.resolve("main~1") == (try repo.branch("side").head()))
        #expect(try repo.fsck().isEmpty)

        // And Banyan's writes on top of git's history are still valid for git.
        try main.set(key("docs/new"), data("added by banyan"), author: signature())
        try repo.flush()
        try GitRunner.run(["fsck", "--strict"], in: work)
        #expect(try GitRunner.run(["show", "main:docs/new"], in: work).text == "added by banyan")
    }
}
