import BanyanTestSupport
import Foundation
import Testing

/// `banyan fsck` against `git fsck` on the same repository: git's message
/// ids, severities, words, streams and exit status, and git's knobs.
@Suite("banyan CLI: fsck as git's")
struct FsckCLITests {
    let dir = TemporaryDirectory("banyan-fsck")
    var repo: String { dir.appending("odd.git") }

    /// A repository with one of each: a zero-padded mode and a `.git`
    /// entry (warnings), a zero-padded date (an error), a tag without a
    /// tagger (info), a blob that is referenced but missing, a ref to a
    /// missing object, and dangling objects.
    init() throws {
        try GitRunner.run(["init", "--bare", "-q", "-b", "main", repo])
        @discardableResult
        func git(_ args: [String], _ input: String? = nil) throws -> String {
            try GitRunner.run(args, in: repo, input: input.map { Data($0.utf8) }).text
        }
        func literally(_ kind: String, _ body: Data) throws -> String {
            try GitRunner.run(["hash-object", "--literally", "-t", kind, "-w", "--stdin"], in: repo, input: body).text
        }
        let blob = try git(["hash-object", "-w", "--stdin"], "x\n")
        let empty = try git(["mktree"], "")
        var padded = Data("040000 sub\0".utf8)
        padded.append(contentsOf: Self.bytes(empty))
        padded.append(contentsOf: Data("100644 y\0".utf8) + Self.bytes("1111111111111111111111111111111111111111"))
        var dotGit = Data("100644 .git\0".utf8)
        dotGit.append(contentsOf: Self.bytes(blob))
        let paddedTree = try literally("tree", padded)
        let dotGitTree = try literally("tree", dotGit)
        let commit = try git(["commit-tree", paddedTree, "-m", "one"])
        let second = try git(["commit-tree", dotGitTree, "-p", commit, "-m", "two"])
        try git(["update-ref", "refs/heads/main", second])
        let tag = try literally("tag", Data("object \(second)\ntype commit\ntag v1\n\nold\n".utf8))
        try git(["update-ref", "refs/tags/v1", tag])
        _ = try literally("commit", Data("tree \(empty)\nauthor A <a> 01 +0000\ncommitter A <a> 0 +0000\n\nm\n".utf8))
        // Refs as git leaves them: packed with a peeled line, a packed tag
        // whose object is gone (and its peeled line), a symbolic ref, a loose
        // ref to a missing object.
        try git(["pack-refs", "--all"])
        let packed = try String(contentsOfFile: repo + "/packed-refs", encoding: .utf8)
            + "3333333333333333333333333333333333333333 refs/tags/gone\n^4444444444444444444444444444444444444444\n"
        try packed.write(toFile: repo + "/packed-refs", atomically: true, encoding: .utf8)
        try git(["symbolic-ref", "refs/heads/alias", "refs/heads/main"])
        try "2222222222222222222222222222222222222222\n".write(toFile: repo + "/refs/heads/bad", atomically: true, encoding: .utf8)
    }

    static func bytes(_ hex: String) -> [UInt8] {
        stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! }
    }

    /// The lines of a stream, sorted, without git's `notice:` lines.
    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("notice:") }.sorted()
    }

    func compare(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let git = try GitRunner.run(["fsck"] + arguments, in: repo, check: false)
        let banyan = try CLI.run(["-C", repo, "fsck"] + arguments)
        #expect(banyan.status == git.status, "\(arguments): banyan \(banyan.stderr)", sourceLocation: sourceLocation)
        #expect(Self.lines(banyan.text) == Self.lines(git.text), "\(arguments) stdout", sourceLocation: sourceLocation)
        #expect(Self.lines(banyan.stderr) == Self.lines(git.stderr), "\(arguments) stderr", sourceLocation: sourceLocation)
    }

    @Test func reportsWhatGitFsckReportsAndExitsAsItDoes() throws {
        try compare([])
        try compare(["--no-dangling"])
        try compare(["--strict"])
    }

    /// Refs git tolerates do not stop Banyan reading: fsck reports them
    /// (above), and everything else reads as git reads it.
    @Test func refsAsTolerantAsGits() throws {
        let banyan = try CLI.run(["-C", repo, "cat-file", "--batch-check"], input: Data("v1\nalias\nmain^{tree}\n".utf8))
        let git = try GitRunner.run(["cat-file", "--batch-check"], in: repo, input: Data("v1\nalias\nmain^{tree}\n".utf8))
        #expect(banyan.status == 0)
        #expect(banyan.stdout == git.stdout)
        #expect(try CLI.run(["-C", repo, "log", "-b", "alias"]).stdout == (try GitRunner.run(["log", "alias"], in: repo).stdout))
    }

    @Test func configChangesSeveritiesAndSkipsObjects() throws {
        try GitRunner.run(["config", "fsck.zeroPaddedDate", "warn"], in: repo)
        try GitRunner.run(["config", "fsck.hasDotgit", "error"], in: repo)
        try GitRunner.run(["config", "fsck.missingTaggerEntry", "ignore"], in: repo)
        try compare(["--no-dangling"])
        let padded = try #require(try CLI.run(["-C", repo, "fsck", "--no-dangling"]).stderr
            .split(separator: "\n").first { $0.contains("zeroPaddedFilemode") })
        let id = String(padded.split(separator: " ")[3].dropLast())
        try "# known\n\(id)\n".write(toFile: dir.appending("skip"), atomically: true, encoding: .utf8)
        try GitRunner.run(["config", "fsck.skipList", dir.appending("skip")], in: repo)
        try compare(["--no-dangling"])
        #expect(try !CLI.run(["-C", repo, "fsck"]).stderr.contains(id))

        try GitRunner.run(["config", "fsck.nulInHeader", "warn"], in: repo)
        let demoted = try CLI.run(["-C", repo, "fsck"])
        #expect(demoted.status != 0)
        #expect(demoted.stderr.contains("fsck.nulInHeader: cannot demote nulInHeader to warn"))
    }

    /// `.gitmodules` blobs are read as config and each submodule entry is
    /// checked (names, URLs, paths, update commands), as git's fsck does.
    @Test func gitmodulesBlobsAreCheckedAsGitChecksThem() throws {
        let path = dir.appending("modules.git")
        try GitRunner.run(["init", "--bare", "-q", "-b", "main", path])
        @discardableResult
        func git(_ args: [String], _ input: String? = nil) throws -> String {
            try GitRunner.run(args, in: path, input: input.map { Data($0.utf8) }).text
        }
        let modules = try git(["hash-object", "-w", "--stdin"], """
            [submodule "../../x"]
            \tpath = -p
            \turl = -u
            \tupdate = !rm -rf /
            [submodule "escape"]
            \turl = ../../:evil
            [submodule "nohost"]
            \turl = https:///nohost
            [submodule "fine"]
            \turl = https://example.com/x.git
            \tpath = sub

            """)
        let unparsable = try git(["hash-object", "-w", "--stdin"], "[submodule \"x\"\n")
        let inner = try git(["mktree"], "100644 blob \(modules)\t.gitmodules\n")
        let tree = try git(["mktree"], "100644 blob \(unparsable)\t.gitmodules\n040000 tree \(inner)\tinner\n")
        try git(["update-ref", "refs/heads/main", try git(["commit-tree", tree, "-m", "modules"])])
        let banyan = try CLI.run(["-C", path, "fsck"])
        let reference = try GitRunner.run(["fsck"], in: path, check: false)
        #expect(banyan.status == reference.status)
        #expect(Self.lines(banyan.stderr) == Self.lines(reference.stderr))
        #expect(banyan.stderr.contains("gitmodulesUrl: disallowed submodule url: ../../:evil"))
    }

    @Test func aCleanStorePrintsNothing() throws {
        let store = dir.appending("clean")
        try CLI.ok(store, ["init"])
        try CLI.ok(store, ["set", "a", "1"])
        let result = try CLI.run(["-C", store, "fsck"])
        #expect(result.status == 0)
        #expect(result.text.isEmpty && result.stderr.isEmpty)
    }
}
