import BanyanTestSupport
import Foundation
import Testing

/// `banyan sync --on-conflict record` and `banyan conflicts list|show|resolve`
/// as a person runs them: two clones of a `banyan serve` store edit one key,
/// the conflict is recorded on one and resolved on the other.
@Suite("Conflicts CLI", .serialized)
struct ConflictsCLITests {
    @Test(.timeLimit(.minutes(1)))
    func aConflictIsRecordedListedShownAndResolvedElsewhere() throws {
        let dir = TemporaryDirectory()
        let server = dir.appending("server")
        try CLI.ok(server, ["init"])
        try CLI.ok(server, ["set", "title", "first"])
        let serve = try ServeProcess(repo: server)
        defer { serve.stop(SIGKILL) }
        let laptop = dir.appending("laptop"), phone = dir.appending("phone")
        #expect(try CLI.run(["clone", serve.url, laptop]).status == 0)
        #expect(try CLI.run(["clone", serve.url, phone]).status == 0)
        #expect(try CLI.ok(phone, ["conflicts"]) == "")

        try CLI.ok(laptop, ["set", "title", "laptop's"])
        try CLI.ok(laptop, ["sync"])
        // Commit times are in seconds: the phone's edit must be the newer one.
        Thread.sleep(forTimeInterval: 1.1)
        try CLI.ok(phone, ["set", "title", "phone's"])
        let recorded = try CLI.ok(phone, ["sync", "--on-conflict", "record"])
        #expect(recorded.contains("origin main: merged ") && recorded.contains("recording conflicts in title, pushed"))
        #expect(recorded.contains("origin: 1 open conflict in the inbox; inbox pushed"))
        #expect(try CLI.ok(phone, ["get", "title"]) == "phone's")

        try CLI.ok(laptop, ["sync", "--on-conflict", "record"])
        #expect(try CLI.ok(laptop, ["conflicts", "list"]) == "main\ttitle\tcontentConflict\tkeeps ours")
        let listed = try JSONSerialization.jsonObject(with: Data(try CLI.ok(laptop, ["conflicts", "list", "--json"]).utf8))
        let record = try #require((listed as? [[String: Any]])?.first)
        #expect(record["key"] as? String == "title" && record["kept"] as? String == "ours")
        let shown = try CLI.ok(laptop, ["conflicts", "show", "title"])
        #expect(shown.contains("--- base") && shown.contains("\nfirst\n") && shown.contains("\nphone's\n")
                && shown.hasSuffix("laptop's"))

        let missing = try CLI.run(["conflicts", "resolve", "nothing", "--take", "ours", "-C", laptop])
        #expect(missing.status == 1 && missing.stderr.contains("no recorded conflict at nothing"))
        let twoChoices = try CLI.run(["conflicts", "resolve", "title", "--take", "ours", "--remove", "-C", laptop])
        #expect(twoChoices.status != 0 && twoChoices.stderr.contains("exactly one of"))
        #expect(try CLI.ok(laptop, ["conflicts"]).hasPrefix("main\ttitle"), "a refused resolution changed the inbox")

        try CLI.ok(laptop, ["conflicts", "resolve", "title", "--take", "theirs"])
        #expect(try CLI.ok(laptop, ["get", "title"]) == "laptop's")
        #expect(try CLI.ok(laptop, ["conflicts"]) == "")
        #expect(try CLI.ok(laptop, ["sync"]).contains("0 open conflicts in the inbox; inbox pushed"))
        try CLI.ok(phone, ["sync"])
        #expect(try CLI.ok(phone, ["conflicts"]) == "")
        #expect(try CLI.ok(phone, ["get", "title"]) == "laptop's")
        try GitRunner.run(["fsck", "--strict"], in: server)
        try GitRunner.run(["fsck", "--strict"], in: phone)
    }

    @Test func aLocalMergeCanRecordToo() throws {
        let dir = TemporaryDirectory()
        let repo = dir.appending("repo")
        try CLI.ok(repo, ["init"])
        try CLI.ok(repo, ["set", "k", "base"])
        try CLI.ok(repo, ["branch", "create", "side"])
        try CLI.ok(repo, ["set", "k", "main"])
        try CLI.ok(repo, ["set", "k", "side", "-b", "side"])
        let merged = try CLI.ok(repo, ["merge", "side", "--on-conflict", "record"])
        #expect(merged.contains("\nrecorded: CONFLICT (contentConflict): k"))
        #expect(try CLI.ok(repo, ["conflicts", "list", "-b", "main"]).hasPrefix("main\tk\t"))
        #expect(try CLI.ok(repo, ["conflicts", "list", "-b", "side"]) == "")
        try CLI.ok(repo, ["conflicts", "resolve", "k", "--value", "both"])
        #expect(try CLI.ok(repo, ["get", "k"]) == "both")
        #expect(try CLI.ok(repo, ["log", "-n", "1"]).contains("Resolve conflict in k (new value)"))
    }
}
