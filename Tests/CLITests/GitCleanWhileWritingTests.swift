import Banyan
import BanyanTestSupport
import Foundation
import Synchronization
import Testing

/// A store is a Git repository at every instant: while writers go through
/// every write path (the REST API and `git push` into `banyan serve`, the
/// library's transactions and batches, one-shot CLI writes, merges,
/// resets, pulls and bundles from another store) and maintenance repacks
/// in the background, `git fsck --strict`, `git log`, `git clone` and
/// `banyan fsck` pass in every round; after SIGKILL of the writers, `git`
/// alone (no Banyan process opens the store) finds it clean.
@Suite("Git-clean at every instant", .serialized)
struct GitCleanWhileWritingTests {
    /// The rounds of checks run while the writers write.
    static let rounds = 200
    /// Writes per writer per round of checks: keeps the store small enough
    /// that a round takes well under a second, however fast writers are.
    static let writesPerRound = 2

    @Test func gitAndBanyanFsckPassInEveryRoundWhileEveryPathWrites() async throws {
        try await offPool(heavy: true) {
            let dir = TemporaryDirectory("banyan-clean")
            let store = dir.appending("store")
            let origin = dir.appending("origin")
            try CLI.ok(store, ["init"])
            // `git fsck` lists the packs when it starts and fails on one deleted
            // before it reads it. A replaced pack waits while a git process
            // reads the store, but one that starts between that look and the
            // deletion is not seen (docs/durability.md), and these checks run
            // back to back: so here replaced packs stay past the end of the test
            // (the deletion itself is tested in GeometricRepackTests and
            // ReplacedPacksTests).
            try GitRunner.run(["config", "-f", store + "/config", "banyan.replacedPackExpire", "1.hour.ago"])
            try CLI.ok(store, ["set", "seed", "0"])
            // Another device's copy: it shares the store's history, so pulls merge.
            #expect(try CLI.run(["clone", store, origin]).status == 0)
            try CLI.ok(store, ["remote", "add", "origin", origin])
            try CLI.ok(store, ["branch", "create", "side"])
            let server = try ServeProcess(repo: store, arguments: ["--allow-non-fast-forward"])
            defer { server.stop() }
            let work = dir.appending("work")
            try GitRunner.run(["clone", "-q", server.url, work])
            try GitRunner.run(["checkout", "-q", "-b", "pushed"], in: work)

            let stop = Atomic<Bool>(false)
            let round = Atomic<Int>(0)
            let writes = Mutex<[String: Int]>([:])
            @Sendable func count(_ path: String) { writes.withLock { $0[path, default: 0] += 1 } }
            let checkFailures = Mutex<[String]>([])
            let failures = runOnThreads(6) { thread in
                var n = 0
                switch thread {
                case 0:
                    defer { stop.store(true, ordering: .relaxed) }
                    for current in 0..<Self.rounds {
                        round.store(current, ordering: .relaxed)
                        checkFailures.withLock { $0 += Self.check(store, clone: dir.appending("clone-\(current)"), round: current) }
                    }
                case 1:
                    // The REST API.
                    while !stop.load(ordering: .relaxed) {
                        n += 1
                        let put = try ProcessRunner.run("/usr/bin/env", ["curl", "-sf", "-X", "PUT", "--data-binary", "rest \(n)",
                                                                        server.url + "api/v1/kv/main/rest/k\(n % 40)"], check: false)
                        if put.status == 0 { count("rest") }
                        try Self.pace(&n, round: round, stop: stop)
                    }
                case 2:
                    // git push into banyan serve (receive-pack).
                    while !stop.load(ordering: .relaxed) {
                        n += 1
                        try Data("push \(n)\n".utf8).write(to: URL(fileURLWithPath: work + "/f\(n % 5)"))
                        try GitRunner.run(["add", "-A"], in: work)
                        try GitRunner.run(["commit", "-q", "-m", "push \(n)"], in: work)
                        if try GitRunner.run(["push", "-q", "-f", "origin", "pushed"], in: work, check: false).status == 0 { count("push") }
                        try Self.pace(&n, round: round, stop: stop)
                    }
                case 3:
                    // The library: transactions and batches in this process, with background maintenance.
                    let repository = try Repository.open(at: store)
                    let main = try repository.branch("main")
                    while !stop.load(ordering: .relaxed) {
                        n += 1
                        if n % 2 == 0 {
                            try main.transaction(message: "transaction \(n)") { try $0.set(Key("lib/t\(n % 30)"), Data("transaction \(n)".utf8)) }
                        } else {
                            try main.batch { batch in
                                for c in 0..<3 { try batch.commit(message: "batch \(n) \(c)") { try $0.set(Key("lib/b\(c)"), Data("batch \(n) \(c)".utf8)) } }
                            }
                        }
                        count("library")
                        try Self.pace(&n, round: round, stop: stop)
                    }
                case 4:
                    // One-shot CLI writes: set, remove, import, merge, reset, branch.
                    while !stop.load(ordering: .relaxed) {
                        n += 1
                        let result: GitRunner.Result
                        switch n % 6 {
                        case 0: result = try CLI.run(["set", "-C", store, "-b", "side", "cli/s\(n % 20)", "cli \(n)"])
                        case 1: result = try CLI.run(["rm", "-C", store, "-b", "side", "cli/s\((n + 7) % 20)"])
                        case 2: result = try CLI.run(["import", "-C", store, "-b", "side"], input: Data("cli/i\(n % 9)\timport \(n)\n".utf8))
                        case 3: result = try CLI.run(["merge", "-C", store, "-b", "main", "--on-conflict", "theirs", "side"])
                        case 4: result = try CLI.run(["reset", "-C", store, "-b", "side", "main"])
                        default: result = try CLI.run(["branch", "create", "-C", store, "b\(n)"])
                        }
                        if result.status == 0 { count("cli") }
                        try Self.pace(&n, round: round, stop: stop)
                    }
                default:
                    // Objects from another store: pull (fetch + merge) and bundles.
                    while !stop.load(ordering: .relaxed) {
                        n += 1
                        try CLI.ok(origin, ["set", "remote/k\(n % 10)", "origin \(n)"])
                        if n % 2 == 0 {
                            if try CLI.run(["pull", "-C", store, "--on-conflict", "theirs", "origin", "main"]).status == 0 { count("pull") }
                        } else {
                            let bundle = dir.appending("b\(n).bundle")
                            try CLI.ok(origin, ["bundle", "create", bundle, "--all"])
                            if try CLI.run(["bundle", "unbundle", "-C", store, bundle]).status == 0 { count("unbundle") }
                        }
                        try Self.pace(&n, round: round, stop: stop)
                    }
                }
            }
            #expect(failures.isEmpty, "\(failures)")
            let failed = checkFailures.withLock { $0 }
            #expect(failed.isEmpty, "\(failed.count) failed checks, first: \(failed.prefix(3))")
            let done = writes.withLock { $0 }
            for path in ["rest", "push", "library", "cli", "pull", "unbundle"] {
                #expect(done[path, default: 0] > 0, "no write went through \(path): \(done)")
            }
            server.stop()
            #expect(server.process.terminationStatus == 0, "\(server.stderr)")
            // Nothing writes now: git fsck must be clean without allowance.
            let final = try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: store, check: false)
            #expect(final.status == 0, "\(final.stderr)")
            #expect(Self.check(store, clone: dir.appending("clone-final"), round: Self.rounds).isEmpty)
        }
    }

    /// After a write: once a writer has written `writesPerRound` times in
    /// this round of checks, it waits for the next round.
    static func pace(_ written: inout Int, round: borrowing Atomic<Int>, stop: borrowing Atomic<Bool>) throws {
        guard written % writesPerRound == 0 else { return }
        let current = round.load(ordering: .relaxed)
        while round.load(ordering: .relaxed) == current && !stop.load(ordering: .relaxed) { usleep(2_000) }
    }

    /// True when `stderr` of `git fsck` holds nothing but `invalid reflog
    /// entry <id>` lines for objects that are in the store. git fsck lists
    /// the objects first and reads the reflogs last, checking each entry
    /// against its list only (`fsck_handle_reflog_oid`), so a commit made
    /// while it ran is reported, with Banyan or with git writing; refs and
    /// everything they reach are looked up afresh and stay strict.
    static func onlyLateReflogEntries(_ stderr: String, store: String) -> Bool {
        let lines = stderr.split(separator: "\n").filter { !$0.isEmpty }
        guard !lines.isEmpty else { return false }
        return lines.allSatisfy { line in
            guard line.hasPrefix("error: "), line.contains(": invalid reflog entry "), let id = line.split(separator: " ").last else { return false }
            return (try? GitRunner.run(["cat-file", "-e", String(id)], in: store, check: false).status) == 0
        }
    }

    /// One round of checks by git and Banyan; returns what failed.
    static func check(_ store: String, clone: String, round: Int) -> [String] {
        var failed: [String] = []
        func expectSuccess(_ label: String, allowing allowed: (GitRunner.Result) -> Bool = { _ in false },
                           _ run: () throws -> GitRunner.Result) {
            do {
                let result = try run()
                if result.status != 0 && !allowed(result) { failed.append("round \(round): \(label): \(result.stderr) \(result.text)") }
            } catch {
                failed.append("round \(round): \(label): \(error)")
            }
        }
        expectSuccess("git fsck", allowing: { onlyLateReflogEntries($0.stderr, store: store) }) {
            try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: store, check: false)
        }
        expectSuccess("git log") { try GitRunner.run(["log", "--all", "--format=%H"], in: store, check: false) }
        expectSuccess("git clone") { try GitRunner.run(["clone", "-q", "--bare", "--no-local", store, clone], check: false) }
        try? FileManager.default.removeItem(atPath: clone)
        expectSuccess("banyan fsck") { try CLI.run(["fsck", "-C", store]) }
        return failed
    }
}
