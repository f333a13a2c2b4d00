import BanyanTestSupport
import Foundation
import Testing

/// `banyan fast-import` and `banyan fast-export` as processes, piped to and from `git`.
@Suite("fast-import CLI")
struct FastImportCLITests {
    @Test("streams pass between banyan and git both ways with the same ids; errors set the exit status")
    func pipesBothWays() throws {
        let directory = TemporaryDirectory("fast-import-cli")
        let store = directory.appending("store")
        try CLI.ok(store, ["init"])
        try CLI.ok(store, ["set", "a/b", "one"])
        try CLI.ok(store, ["set", "c", "two"])
        let stream = try CLI.run(["fast-export", "--all", "-C", store])
        #expect(stream.status == 0, "\(stream.stderr)")
        try GitRunner.run(["init", "--quiet", "--bare", "git.git"], in: directory.path)
        let git = directory.appending("git.git")
        try GitRunner.run(["fast-import", "--quiet"], in: git, input: stream.stdout)
        let main = try CLI.ok(store, ["rev-parse", "main"])
        #expect(try GitRunner.run(["rev-parse", "main"], in: git).text == main)

        let back = try GitRunner.run(["fast-export", "--all"], in: git).stdout
        let copy = directory.appending("copy")
        try CLI.ok(copy, ["init"])
        try CLI.ok(copy, ["fast-import", "--quiet", "--export-marks", directory.appending("marks")], input: back)
        #expect(try CLI.ok(copy, ["rev-parse", "main"]) == main)
        #expect(FileManager.default.fileExists(atPath: directory.appending("marks")))

        let root = Data("commit refs/heads/main\ncommitter C <c@example.com> 1 +0000\ndata 1\nx\n".utf8)
        let refused = try CLI.run(["fast-import", "--quiet", "-C", copy], input: root)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("warning: not updating refs/heads/main"))
        #expect(try CLI.ok(copy, ["rev-parse", "main"]) == main)
        #expect(try CLI.run(["fast-import", "--quiet", "--force", "-C", copy], input: root).status == 0)

        let malformed = try CLI.run(["fast-import", "-C", copy], input: Data("commit refs/heads/x\ndata 1\nx\n".utf8))
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("line 2: expected committer"))
    }
}
