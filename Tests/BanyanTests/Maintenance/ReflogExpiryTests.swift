import Banyan
import BanyanTestSupport
import Foundation
import Synchronization
import Testing

/// `Repository.expireReflogs` against `git reflog expire --all`: the same
/// repository copied twice, each expired by one of them with the same config
/// and the same clock, every log compared byte for byte.
@Suite("Reflog expiry")
struct ReflogExpiryTests {
    /// Configs to expire the fixture with (`git config` key-value pairs).
    static let configs: [[(String, String)]] = [
        [],
        [("gc.reflogExpire", "never")],
        [("gc.reflogExpireUnreachable", "never")],
        [("gc.reflogExpire", "now")],
        [("gc.reflogExpireUnreachable", "now")],
        [("gc.reflogExpire", "false"), ("gc.reflogExpireUnreachable", "all")],
        [("gc.reflogExpire", "2.weeks.ago"), ("gc.reflogExpireUnreachable", "7 days ago")],
        [("gc.reflogExpire", "50.days.ago"), ("gc.reflogExpireUnreachable", "60.days.ago")],
        [("gc.reflogExpire", ReflogFixture.day(daysAgo: 50))],
        [("gc.reflogExpire", ReflogFixture.day(daysAgo: 110) + " 06:00:00"), ("gc.reflogExpireUnreachable", "never")],
        [("gc.refs/heads/feature*.reflogExpire", "never"), ("gc.refs/heads/*.reflogExpireUnreachable", "1.day.ago")],
        [("gc.refs/*.reflogExpire", "10.days.ago"), ("gc.HEAD.reflogExpire", "now"), ("gc.reflogExpire", "never")],
        [("gc.refs/stash.reflogExpire", "1.week.ago"), ("gc.refs/stash.reflogExpireUnreachable", "200.days.ago")],
        [("gc.*.reflogExpireUnreachable", "now"), ("gc.reflogExpire", "now")],
    ]

    @Test("the logs are byte for byte what git reflog expire --all leaves",
          arguments: configs.indices.map { ($0, HashAlgorithm.sha1) } + [(0, .sha256), (10, .sha256)])
    func matchesGit(config: Int, algorithm: HashAlgorithm) throws {
        let scratch = TemporaryDirectory("banyan-reflog-expire")
        let fixture = try ReflogFixture(at: scratch.appending("fixture"), algorithm: algorithm)
        for (key, value) in Self.configs[config] {
            try GitRunner.run(["config", key, value], in: fixture.path)
        }
        let byGit = scratch.appending("git")
        let byBanyan = scratch.appending("banyan")
        try FileManager.default.copyItem(atPath: fixture.path, toPath: byGit)
        try FileManager.default.copyItem(atPath: fixture.path, toPath: byBanyan)

        try GitRunner.run(["reflog", "expire", "--all"], in: byGit)
        let report = try Repository.open(at: byBanyan).expireReflogs()

        let logs = try Self.logFiles(byGit)
        #expect(try Self.logFiles(byBanyan) == logs)
        for name in logs {
            let expected = try Data(contentsOf: URL(fileURLWithPath: byGit + "/logs/" + name))
            let actual = try Data(contentsOf: URL(fileURLWithPath: byBanyan + "/logs/" + name))
            #expect(actual == expected, "logs/\(name) differs:\n\(String(decoding: actual, as: UTF8.self))\ngit:\n\(String(decoding: expected, as: UTF8.self))")
        }
        #expect(report.locked.isEmpty)
        #expect(report.logs.map(\.ref) == ["HEAD", "refs/heads/feature", "refs/heads/main", "refs/heads/stray", "refs/stash"])
        for log in report.logs {
            let lines = try String(contentsOfFile: byBanyan + "/logs/" + log.ref, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == log.kept, "\(log.ref)")
            #expect(log.kept + log.removed == fixture.entries[log.ref], "\(log.ref)")
        }
        #expect(try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: byBanyan).status == 0)
    }

    @Test("the defaults drop the old, the rewound-away, and what git cannot read; HEAD keeps what any ref reaches")
    func defaultRules() throws {
        let scratch = TemporaryDirectory("banyan-reflog-expire")
        let fixture = try ReflogFixture(at: scratch.appending("fixture"), algorithm: .sha1)
        let repository = try Repository.open(at: fixture.path)
        let report = try repository.expireReflogs()
        let messages = { (ref: String) in try repository.refs.reflog(ref).map(\.message) }
        #expect(try messages("refs/heads/main") == ["commit: C3", "commit: D4", "commit: D5", "commit: E", "reset: moving to D5"])
        // C4 is reached by the tag v1, so HEAD keeps the entries to and from it; F is reached by nothing.
        #expect(try messages("HEAD") == ["commit: C3", "commit: C4", "reset: moving to C3", "commit: D4", "commit: D5",
                                         "commit: E", "reset: moving to D5"])
        #expect(try messages("refs/heads/feature") == ["branch: Created from E", ""])
        #expect(try messages("refs/stash").count == 1, "the stash never expires by default")
        #expect(report.logs.first { $0.ref == "refs/heads/feature" }?.removed == 1, "the malformed line is dropped")
        #expect(try messages("refs/heads/stray").isEmpty, "a missing ref's log expires past the unreachable date")
        #expect(report.removed == 6 + 4 + 1 + 1)

        let again = try repository.expireReflogs()
        #expect(again.removed == 0)
    }

    @Test("entries appended while logs are expired are never lost")
    func concurrentAppendsSurvive() async throws {
        try await offPool(heavy: true) {
            try withTemporaryDirectory { directory in
                let repository = try Repository.create(at: directory + "/store")
                let main = try repository.branch("main")
                try main.set(Key("seed"), Data("0".utf8))
                let old = Signature(name: "Old", email: "old@example.com",
                                    time: Int64(Date().timeIntervalSince1970) - 200 * 86_400, timeZoneMinutes: 0)
                let rounds = 120
                let writing = Atomic(2)
                let expiries = Atomic(0)
                let failures = runOnThreads(3) { thread in
                    if thread == 2 {
                        // Back to back, with a breath between runs: a writer waits a
                        // second at most for a lock, and a loop retaking it at once
                        // could starve it (no maintenance job runs like that).
                        while writing.load(ordering: .acquiring) > 0 {
                            try repository.expireReflogs()
                            expiries.add(1, ordering: .relaxed)
                            usleep(2_000)
                        }
                        return
                    }
                    defer { writing.subtract(1, ordering: .releasing) }
                    for round in 0..<rounds {
                        // Old-dated entries give every expiry something to remove.
                        try main.set(Key("w\(thread)/\(round)"), Data("\(round)".utf8), message: thread == 0 ? "recent \(round)" : "old \(round)",
                                     committer: thread == 0 ? nil : old)
                    }
                }
                #expect(failures.isEmpty, "\(failures)")
                try repository.expireReflogs()
                #expect(expiries.load(ordering: .relaxed) > 1)
                for ref in ["refs/heads/main", "HEAD"] {
                    let messages = try repository.refs.reflog(ref).map(\.message)
                    #expect(messages.filter { $0.hasPrefix("commit: recent ") }.count == rounds, "\(ref) lost entries")
                    #expect(!messages.contains { $0.hasPrefix("commit: old ") }, "\(ref) kept expired entries")
                }
            }
        }
    }

    @Test("a log whose ref another writer keeps locked is left as it was and reported; the others are expired")
    func lockedRefsAreSkipped() throws {
        let scratch = TemporaryDirectory("banyan-reflog-expire")
        let fixture = try ReflogFixture(at: scratch.appending("fixture"), algorithm: .sha1)
        let lock = fixture.path + "/refs/heads/main.lock"
        try Data().write(to: URL(fileURLWithPath: lock))
        let before = try Data(contentsOf: URL(fileURLWithPath: fixture.path + "/logs/refs/heads/main"))
        let report = try Repository.open(at: fixture.path).expireReflogs()
        // HEAD's log is appended to under the lock of the branch HEAD names.
        #expect(report.locked == ["HEAD", "refs/heads/main"])
        #expect(report.logs.map(\.ref) == ["refs/heads/feature", "refs/heads/stray", "refs/stash"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.path + "/logs/refs/heads/main")) == before)
        #expect(FileManager.default.fileExists(atPath: lock), "another writer's lock was removed")
    }

    @Test("a bad expiry in the config is an error naming it; split stores cannot expire")
    func errors() throws {
        let scratch = TemporaryDirectory("banyan-reflog-expire")
        let path = scratch.appending("store")
        _ = try Repository.create(at: path)
        try GitRunner.run(["config", "gc.refs/heads/*.reflogExpireUnreachable", "soonish"], in: path)
        #expect { try Repository.open(at: path).expireReflogs() } throws: { error in
            let error = error as? BanyanError
            return error?.code == .invalidArgument && error?.message.contains("gc.refs/heads/*.reflogExpireUnreachable") == true
        }
        let split = Repository(objects: try MemoryBackend(), refs: try MemoryBackend())
        #expect { try split.expireReflogs() } throws: { ($0 as? BanyanError)?.code == .unsupported }
    }

    @Test("expiry dates read as git's approxidate reads them", arguments: [
        "2024-05-01", "2024-05-01 12:30", "2024-05-01 12:30:00", "2024-05-01T12:30:00", "@1600000000",
        "3 days ago", "1.hour", "2.weeks.ago", "90.days.ago",
    ])
    func expiryDatesMatchGit(text: String) throws {
        let scratch = TemporaryDirectory("banyan-approxidate")
        try GitRunner.run(["init", "-q", "--bare", scratch.path])
        let now = Date()
        let git = try GitRunner.run(["rev-parse", "--since=" + text], in: scratch.path)
        let expected = try #require(git.text.split(separator: "=").last.flatMap { Int64($0) }, "\(git.text) \(git.stderr)")
        let cutoff = try #require(try PruneExpiry.cutoff(parsing: text, now: now))
        #expect(abs(Int64(cutoff.timeIntervalSince1970) - expected) <= 2, "\(text): \(cutoff) vs git \(expected)")
    }

    /// The files under `logs/` of the repository at `path`, relative, sorted.
    static func logFiles(_ path: String) throws -> [String] {
        let root = path + "/logs/"
        return (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? [])
            .filter { Self.isFile(root + $0) }.sorted()
    }

    private static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}

/// A bare repository whose `main` was rewound and reset, with reflogs dated
/// relative to the real clock (real `git` wrote them; `GIT_COMMITTER_DATE`
/// set the dates), each entry an hour off a whole number of days.
///
/// History: C1-C2-C3, then C4 (abandoned by a reset to C3, but tagged
/// `v1`), D4-D5 on C3, F on D5 (abandoned, reached by nothing), E on D5
/// (abandoned by `main`, kept by `feature`). `refs/stash` points at C2 with
/// an entry 200 days old. `feature`'s log also holds a line without a
/// message (no tab, which Git adds when it rewrites it) and a malformed
/// line (which it drops); a stray log under `logs/` has no ref (Git expires
/// it all the same).
struct ReflogFixture {
    let path: String
    /// How many lines each log holds.
    let entries: [String: Int]

    /// `yyyy-MM-dd` of the day `days` before now, in the local time zone.
    static func day(daysAgo days: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date().addingTimeInterval(-Double(days) * 86_400))
    }

    init(at path: String, algorithm: HashAlgorithm) throws {
        self.path = path
        try GitRunner.run(["init", "-q", "--bare", "--object-format=\(algorithm.rawValue)", path])
        try GitRunner.run(["symbolic-ref", "HEAD", "refs/heads/main"], in: path)
        try GitRunner.run(["config", "core.logAllRefUpdates", "true"], in: path)
        let now = Int64(Date().timeIntervalSince1970)
        let dated = { (days: Int) in ["GIT_COMMITTER_DATE": "\(now - Int64(days) * 86_400 - 3_600) +0100",
                                      "GIT_AUTHOR_DATE": "\(now - Int64(days) * 86_400 - 3_600) +0100"] }
        let tree = try GitRunner.run(["mktree"], in: path, input: Data()).text
        func commit(_ message: String, _ parent: String?, _ days: Int) throws -> String {
            try GitRunner.run(["commit-tree", "-m", message, tree] + (parent.map { ["-p", $0] } ?? []), in: path,
                              environment: dated(days)).text
        }
        func update(_ ref: String, _ id: String, _ message: String, _ days: Int, create: Bool = false) throws {
            try GitRunner.run(["update-ref"] + (create ? ["--create-reflog"] : []) + ["-m", message, ref, id], in: path,
                              environment: dated(days))
        }
        let c1 = try commit("C1", nil, 120), c2 = try commit("C2", c1, 100), c3 = try commit("C3", c2, 60)
        let c4 = try commit("C4", c3, 45), d4 = try commit("D4", c3, 35), d5 = try commit("D5", d4, 33)
        let f = try commit("F", d5, 32), e = try commit("E", d5, 5)
        for (id, message, days) in [(c1, "commit (initial): C1", 120), (c2, "commit: C2", 100), (c3, "commit: C3", 60),
                                    (c4, "commit: C4", 45), (c3, "reset: moving to C3", 40), (d4, "commit: D4", 35),
                                    (d5, "commit: D5", 33), (f, "commit: F", 32), (d5, "reset: moving to D5", 31),
                                    (e, "commit: E", 5), (d5, "reset: moving to D5", 4)] {
            try update("refs/heads/main", id, message, days)
        }
        try update("refs/heads/feature", e, "branch: Created from E", 20)
        try update("refs/stash", c2, "WIP on main: C2", 200, create: true)
        let tag = try GitRunner.run(["mktag"], in: path, input: Data("""
            object \(c4)
            type commit
            tag v1
            tagger T <t@example.com> \(now - 50 * 86_400) +0000

            v1

            """.utf8)).text
        // No reflog for the tag: Git 2.39 would then lose it as a tip of HEAD's log (see `expireReflogs`).
        try GitRunner.run(["update-ref", "refs/tags/v1", tag], in: path)
        let zero = String(repeating: "0", count: algorithm.hexLength)
        let feature = try FileHandle(forWritingTo: URL(fileURLWithPath: path + "/logs/refs/heads/feature"))
        try feature.seekToEnd()
        try feature.write(contentsOf: Data("\(e) \(e) T <t@example.com> \(now - 2 * 86_400 - 3_600) -0230\n".utf8))
        try feature.write(contentsOf: Data("\(zero) \(e) no time zone 12\n".utf8))
        try feature.close()
        try Data("\(zero) \(e) T <t@example.com> \(now - 300 * 86_400) +0000\tstray\n".utf8)
            .write(to: URL(fileURLWithPath: path + "/logs/refs/heads/stray"))
        entries = ["HEAD": 11, "refs/heads/main": 11, "refs/heads/feature": 3, "refs/heads/stray": 1, "refs/stash": 1]
    }
}
