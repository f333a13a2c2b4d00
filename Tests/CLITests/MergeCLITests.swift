import BanyanTestSupport
import Foundation
import Testing

@Suite("banyan merge, merge-base, merge-driver")
struct MergeCLITests {
    let dir = TemporaryDirectory("banyan-cli-merge")
    var repo: String { dir.appending("store") }

    init() throws {
        _ = try CLI.ok(dir.appending("store"), ["init"])
        try CLI.ok(repo, ["import"], input: Data("notes/a\tone\nnotes/b\ttwo\ncount\t10\n".utf8))
        try CLI.ok(repo, ["branch", "create", "dev"])
    }

    @Test func cleanMergePrintsTheCommitAndMovesTheBranch() throws {
        try CLI.ok(repo, ["set", "notes/a", "ONE"])
        try CLI.ok(repo, ["set", "notes/b", "TWO", "-b", "dev"])
        let id = try CLI.ok(repo, ["merge", "dev", "-m", "bring dev in", "--author", "Ada <ada@example.com>"])
        #expect(try CLI.ok(repo, ["snapshot"]) == id)
        #expect(try GitRunner.run(["log", "-1", "--format=%P|%an|%s", id], in: repo).text.split(separator: "|")[1...] == ["Ada", "bring dev in"])
        #expect(try GitRunner.run(["rev-list", "--parents", "-1", id], in: repo).text.split(separator: " ").count == 3)
        #expect(try CLI.ok(repo, ["get", "notes/b"]) == "TWO")
        #expect(try CLI.ok(repo, ["merge", "dev"]) == "already up to date")
        let json = try CLI.ok(repo, ["merge", "dev", "--json"])
        #expect(json.contains("\"outcome\" : \"upToDate\""))
        try GitRunner.run(["fsck", "--strict"], in: repo)
    }

    @Test func fastForwardPrintsTheNewHead() throws {
        let ahead = try CLI.ok(repo, ["set", "x", "1", "-b", "dev"])
        #expect(try CLI.ok(repo, ["merge", "dev", "--dry-run"]) == "would fast-forward to \(ahead)")
        #expect(try CLI.ok(repo, ["snapshot"]) != ahead)
        #expect(try CLI.ok(repo, ["merge", "dev"]) == ahead)
        #expect(try CLI.ok(repo, ["snapshot"]) == ahead)
    }

    @Test func conflictsExitOneAndLeaveTheBranchAlone() throws {
        try CLI.ok(repo, ["set", "notes/a", "mine"])
        try CLI.ok(repo, ["rm", "notes/b"])
        try CLI.ok(repo, ["set", "notes/a", "theirs", "-b", "dev"])
        try CLI.ok(repo, ["set", "notes/b", "changed", "-b", "dev"])
        let head = try CLI.ok(repo, ["snapshot"])
        let result = try CLI.run(["merge", "dev", "-C", repo])
        #expect(result.status == 1)
        #expect(result.text == """
            CONFLICT (contentConflict): notes/a: both sides changed the same lines (1 conflicting hunk)
            CONFLICT (deleteModify): notes/b: ours removed it, theirs changed it
            """)
        #expect(result.stderr.contains("2 conflicts"))
        #expect(try CLI.ok(repo, ["snapshot"]) == head)

        let json = try CLI.run(["merge", "dev", "--json", "-C", repo])
        #expect(json.status == 1)
        let list = try JSONSerialization.jsonObject(with: json.stdout) as? [[String: Any]]
        #expect(list?.map { $0["kind"] as? String } == ["contentConflict", "deleteModify"])
        #expect(list?.first?["strategy"] as? String == "text")
        #expect(list?.last?["ours"] == nil)
        #expect(list?.last?["base"] != nil)

        #expect(try CLI.run(["merge", "dev", "--dry-run", "-C", repo]).status == 1)
        let resolved = try CLI.ok(repo, ["merge", "dev", "--on-conflict", "theirs"])
        #expect(try CLI.ok(repo, ["snapshot"]) == resolved)
        #expect(try CLI.ok(repo, ["get", "notes/a"]) == "theirs")
        #expect(try CLI.ok(repo, ["get", "notes/b"]) == "changed")
    }

    @Test func strategiesComeFromGitattributes() throws {
        try CLI.ok(repo, ["set", ".gitattributes", "count merge=counter\n"])
        try CLI.ok(repo, ["set", ".gitattributes", "count merge=counter\n", "-b", "dev"])
        try CLI.ok(repo, ["set", "count", "15"])
        try CLI.ok(repo, ["set", "count", "12", "-b", "dev"])
        #expect(try CLI.ok(repo, ["merge", "dev", "--dry-run"]) == "would merge cleanly")
        try CLI.ok(repo, ["merge", "dev"])
        #expect(try CLI.ok(repo, ["get", "count"]) == "17")
    }

    @Test func mergeBasePrintsOneOrAll() throws {
        let base = try CLI.ok(repo, ["snapshot"])
        try CLI.ok(repo, ["set", "x", "1"])
        try CLI.ok(repo, ["set", "y", "1", "-b", "dev"])
        #expect(try CLI.ok(repo, ["merge-base", "main", "dev"]) == base)
        #expect(try CLI.ok(repo, ["merge-base", "--all", "main", "dev"]) == base)
        #expect(try CLI.ok(repo, ["merge-base", "main", "dev"]) == (try GitRunner.run(["merge-base", "main", "dev"], in: repo).text))
        // Writing to a branch with no commit starts an unrelated history.
        try CLI.ok(repo, ["set", "z", "1", "-b", "orphan"])
        #expect(try CLI.run(["merge-base", "main", "orphan", "-C", repo]).status == 1)
        let refused = try CLI.run(["merge", "orphan", "-C", repo])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("unrelated histories"))
        try CLI.ok(repo, ["merge", "orphan", "--allow-unrelated-histories"])
        #expect(try CLI.ok(repo, ["get", "z"]) == "1")
        #expect(try CLI.run(["merge-base", "main", "nope", "-C", repo]).status == 2)
        let tree = try CLI.ok(repo, ["rev-parse", "main^{tree}"])
        #expect(try CLI.run(["merge-base", "main", tree, "-C", repo]).status == 2)
    }

    @Test func mergeDriverRunsInsideGitMerge() throws {
        let work = dir.appending("work")
        try GitRunner.run(["init", "-q", "-b", "main", work])
        for strategy in ["counter", "json", "text"] {
            try GitRunner.run(["config", "merge.banyan-\(strategy).driver", "\(CLI.executable) merge-driver \(strategy) %O %A %B %P"],
                              in: work)
        }
        func write(_ files: [String: String]) throws {
            for (name, content) in files {
                try Data(content.utf8).write(to: URL(fileURLWithPath: work + "/" + name))
            }
            try GitRunner.run(["add", "."], in: work)
            try GitRunner.run(["commit", "-q", "-m", "edit"], in: work)
        }
        try write([".gitattributes": "*.count merge=banyan-counter\n*.json merge=banyan-json\n*.txt merge=banyan-text\n",
                   "hits.count": "10\n", "prefs.json": #"{"a":1,"b":1}"#, "notes.txt": "a\nb\nc\n"])
        try GitRunner.run(["checkout", "-q", "-b", "side"], in: work)
        try write(["hits.count": "12\n", "prefs.json": #"{"a":1,"b":5}"#])
        try GitRunner.run(["checkout", "-q", "main"], in: work)
        try write(["hits.count": "15\n", "prefs.json": #"{"a":3,"b":1}"#])
        try GitRunner.run(["merge", "-q", "--no-edit", "side"], in: work)
        #expect(try String(contentsOfFile: work + "/hits.count", encoding: .utf8) == "17\n")
        #expect(try String(contentsOfFile: work + "/prefs.json", encoding: .utf8) == #"{"a":3,"b":5}"#)

        // A conflict: git merge fails and the file holds the driver's conflict markers.
        try GitRunner.run(["checkout", "-q", "side"], in: work)
        try write(["notes.txt": "a\nSIDE\nc\n"])
        try GitRunner.run(["checkout", "-q", "main"], in: work)
        try write(["notes.txt": "a\nMAIN\nc\n"])
        let failed = try GitRunner.run(["merge", "-q", "--no-edit", "side"], in: work, check: false)
        #expect(failed.status != 0)
        #expect(try String(contentsOfFile: work + "/notes.txt", encoding: .utf8)
                == "a\n<<<<<<< ours\nMAIN\n=======\nSIDE\n>>>>>>> theirs\nc\n")
        #expect(try GitRunner.run(["diff", "--name-only", "--diff-filter=U"], in: work).text == "notes.txt")
    }

    @Test func mergeDriverExitStatuses() throws {
        let files = ["o", "a", "b"].map { dir.appending($0) }
        for (file, content) in zip(files, ["1", "2", "3"]) {
            try Data(content.utf8).write(to: URL(fileURLWithPath: file))
        }
        #expect(try CLI.run(["merge-driver", "counter"] + files + ["n.count"]).status == 0)
        #expect(try String(contentsOfFile: files[1], encoding: .utf8) == "4")
        #expect(try CLI.run(["merge-driver", "binary"] + files + ["n.bin"]).status == 1)
        #expect(try String(contentsOfFile: files[1], encoding: .utf8) == "4")
        #expect(try CLI.run(["merge-driver", "nosuch"] + files).status == 2)
        #expect(try CLI.run(["merge-driver", "text", files[0], dir.appending("missing"), files[2]]).status == 2)
    }
}
