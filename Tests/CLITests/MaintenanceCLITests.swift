import BanyanTestSupport
import Foundation
import Testing

/// `banyan gc`, `count-objects`, `verify-pack`, `cat-file --batch`, `fsck`
/// and `bundle`, against the output of the same git commands.
@Suite("maintenance and bundle commands")
struct MaintenanceCLITests {
    /// A store with a few imports (sealed append packs), a loose blob and a tag made by git.
    private func makeStore(_ directory: TemporaryDirectory) throws -> String {
        let repo = directory.appending("store")
        try CLI.ok(repo, ["init"])
        for round in 0..<6 {
            let lines = (0..<30).map { "k\($0 % 5)/v\($0)\tvalue \($0) round \(round < $0 % 4 ? 0 : round)" }
            try CLI.ok(repo, ["import", "-m", "round \(round)"], input: Data(lines.joined(separator: "\n").utf8))
        }
        try GitRunner.run(["hash-object", "-w", "--stdin"], in: repo, input: Data("a loose blob\n".utf8))
        try GitRunner.run(["tag", "-a", "v1", "-m", "tag", "main~2"], in: repo)
        // Each import may have left a detached `maintenance run --auto` repacking: let it finish,
        // so that what the tests compare is one state of the store.
        CrashRecoveryTests.waitForDetachedMaintenance(of: repo)
        return repo
    }

    @Test func gcRepacksAndReportsAndRejectsABadDate() throws {
        let directory = TemporaryDirectory("banyan-gc-cli")
        let repo = try makeStore(directory)
        let output = try CLI.ok(repo, ["gc"])
        #expect(output.hasPrefix("packed "), "\(output)")
        #expect(try GitRunner.run(["count-objects", "-v"], in: repo).text.contains("packs: 1"))
        #expect(try GitRunner.run(["fsck", "--strict"], in: repo).status == 0)
        let dangling = try GitRunner.run(["fsck", "--strict"], in: repo).text
        #expect(dangling.contains("dangling blob"), "the recent unreachable blob is kept: \(dangling)")
        // Within the last hour a write in progress may name it: still kept.
        #expect(try CLI.ok(repo, ["gc", "--prune=now", "-q"]) == "")
        #expect(try GitRunner.run(["fsck", "--strict"], in: repo).text.contains("dangling blob"))
        // Written two hours ago, it goes.
        let files = FileManager.default.enumerator(atPath: repo + "/objects")?.compactMap { $0 as? String } ?? []
        for file in files {
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7_200)],
                                                  ofItemAtPath: repo + "/objects/" + file)
        }
        #expect(try CLI.ok(repo, ["gc", "--prune=now", "-q"]) == "")
        #expect(try GitRunner.run(["fsck", "--strict"], in: repo).text == "", "pruned now")
        let bad = try CLI.run(["gc", "--prune=whenever", "-C", repo])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("whenever"))
    }

    @Test func countObjectsMatchesGit() throws {
        let directory = TemporaryDirectory("banyan-count-cli")
        let repo = try makeStore(directory)
        for _ in 0..<2 {
            #expect(try CLI.ok(repo, ["count-objects", "-v"]) == GitRunner.run(["count-objects", "-v"], in: repo).text)
            #expect(try CLI.ok(repo, ["count-objects"]) == GitRunner.run(["count-objects"], in: repo).text)
            #expect(FileManager.default.createFile(atPath: repo + "/objects/pack/tmp_pack_garbage", contents: Data("x".utf8)))
            try CLI.ok(repo, ["gc"])
            CrashRecoveryTests.waitForDetachedMaintenance(of: repo)
        }
    }

    @Test("verify-pack -v lists what git's lists", arguments: PackFixtures.names)
    func verifyPackMatchesGit(fixture: String) throws {
        let directory = TemporaryDirectory("banyan-verify-cli")
        let repo = try PackFixtures.copy(fixture, into: directory.path)
        let pack = try FileManager.default.contentsOfDirectory(atPath: repo + "/objects/pack").first { $0.hasSuffix(".pack") }!
        let path = repo + "/objects/pack/" + pack
        let ours = try CLI.run(["verify-pack", "-v", path])
        #expect(ours.status == 0, "\(ours.stderr)")
        #expect(ours.text == (try GitRunner.run(["verify-pack", "-v", path], in: repo).text))
        #expect(try CLI.run(["verify-pack", String(path.dropLast(5)) + ".idx"]).text == "")
    }

    @Test func verifyPackNamesTheProblem() throws {
        let directory = TemporaryDirectory("banyan-verify-bad")
        let repo = try PackFixtures.copy("sha1-large.git", into: directory.path)
        let pack = try FileManager.default.contentsOfDirectory(atPath: repo + "/objects/pack").first { $0.hasSuffix(".pack") }!
        let path = repo + "/objects/pack/" + pack
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        let result = try CLI.run(["verify-pack", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("checksum"), "\(result.stderr)")
        #expect(try GitRunner.run(["verify-pack", path], check: false).status != 0)
    }

    @Test("cat-file --batch is byte-identical to git's over every object", arguments: PackFixtures.names)
    func catFileBatchMatchesGit(fixture: String) throws {
        let directory = TemporaryDirectory("banyan-catfile-cli")
        let repo = try PackFixtures.copy(fixture, into: directory.path)
        let names = try GitRunner.run(["cat-file", "--batch-all-objects", "--batch-check=%(objectname)"], in: repo).stdout
        let ours = try CLI.run(["cat-file", "--batch", "-C", repo], input: names)
        #expect(ours.status == 0, "\(ours.stderr)")
        #expect(ours.stdout == (try GitRunner.run(["cat-file", "--batch"], in: repo, input: names).stdout))
        let fsck = try CLI.run(["fsck", "-C", repo])
        #expect(fsck.status == 0 && fsck.text.isEmpty, "\(fsck.text)")
    }

    @Test func bundleCommandsAgreeWithGit() throws {
        let directory = TemporaryDirectory("banyan-bundle-cli")
        let repo = try makeStore(directory)
        let full = directory.appending("full.bundle"), recent = directory.appending("recent.bundle")
        try CLI.ok(repo, ["bundle", "create", full])
        try CLI.ok(repo, ["bundle", "create", recent, "main~2..main"])
        for bundle in [full, recent] {
            #expect(try CLI.run(["bundle", "list-heads", bundle]).text == GitRunner.run(["bundle", "list-heads", bundle]).text)
            let ours = try CLI.run(["bundle", "verify", bundle, "-C", repo])
            let theirs = try GitRunner.run(["bundle", "verify", bundle], in: repo)
            #expect(ours.status == 0 && ours.text == theirs.text)
            #expect(ours.stderr.contains("is okay"))
        }
        for filter in ["main", "refs/heads/main", "HEAD"] {
            #expect(try CLI.run(["bundle", "list-heads", full, filter]).text == GitRunner.run(["bundle", "list-heads", full, filter]).text)
        }

        let target = directory.appending("target")
        try CLI.ok(target, ["init"])
        let missing = try CLI.run(["bundle", "verify", recent, "-C", target])
        #expect(missing.status == 1 && missing.stderr.contains("prerequisite"))
        let printed = try CLI.ok(target, ["bundle", "unbundle", full])
        #expect(printed == (try GitRunner.run(["bundle", "list-heads", full]).text))
        #expect(try GitRunner.run(["rev-parse", "refs/remotes/bundle/main"], in: target).text
                == GitRunner.run(["rev-parse", "main"], in: repo).text)
        try CLI.ok(target, ["bundle", "unbundle", full, "--refs", "same"])
        #expect(try GitRunner.run(["for-each-ref", "refs/heads", "refs/tags"], in: target).text
                == GitRunner.run(["for-each-ref", "refs/heads", "refs/tags"], in: repo).text)
        #expect(try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: target).status == 0)
    }
}
