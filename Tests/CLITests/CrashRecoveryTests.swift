import BanyanTestSupport
import Foundation
import Testing

/// Writers, merges and gc killed with SIGKILL at random points leave a store
/// that `git fsck --strict` finds clean, with every acknowledged commit in
/// place, before any Banyan process opens it again.
@Suite("Crash recovery")
struct CrashRecoveryTests {
    /// One `banyan import` of 200 keys as a bash loop body: writes
    /// `$INPUT.$i` and imports it into `$1` (a branch), printing the new
    /// head only after `banyan import` returned, which is what acknowledged means.
    static let importRound = """
        importRound() {
          for k in $(seq 0 199); do printf 'd%d/k%d\\tvalue %d %d %s\\n' $((k % 16)) $k $k $i "$1"; done > "$INPUT.$i"
          "$BANYAN" import -C "$REPO" -b "$1" -m "round $i" < "$INPUT.$i" || exit 3
        }

        """

    @Test func killedWritersLoseNoAcknowledgedCommit() async throws {
        try await offPool(heavy: true) {
            let dir = TemporaryDirectory("banyan-crash")
            let repo = try Self.durableStore(in: dir)
            // Each import appends ~300 objects.
            let script = Self.importRound + """
                i=0
                while true; do
                  importRound main
                  i=$((i + 1))
                done
                """
            // Up to 2 s before each kill: a durable import (a debug process,
            // fsyncs) took over 0.9 s every time in one CI run under the
            // whole suite's load, leaving nothing acknowledged to check.
            let acknowledged = try Self.killRepeatedly(script, rounds: 50, in: dir, repo: repo, delays: 50_000...2_000_000)
            #expect(acknowledged.count > 0)
            if let last = acknowledged.last {
                try GitRunner.run(["merge-base", "--is-ancestor", last, "main"], in: repo)
            }
        }
    }

    /// Without durability a killed process still leaves its writes in the
    /// page cache: every ref names sealed objects, so `git` alone finds the
    /// store clean after each kill, with background maintenance racing the
    /// kills (a detached `banyan maintenance run` may be killed too).
    @Test func killedWritersOfANonDurableStoreLeaveItGitClean() async throws {
        try await offPool(heavy: true) {
            let dir = TemporaryDirectory("banyan-crash-fast")
            let repo = dir.appending("store")
            try CLI.ok(repo, ["init"])
            let script = Self.importRound + """
                i=0
                while true; do
                  importRound main
                  "$BANYAN" set -C "$REPO" -b side "k$i" "v$i" > /dev/null || exit 4
                  i=$((i + 1))
                done
                """
            let acknowledged = try Self.killRepeatedly(script, rounds: 20, in: dir, repo: repo, delays: 20_000...600_000)
            #expect(acknowledged.count > 0)
        }
    }

    /// gc killed while it repacks, prunes or packs refs: the old packs and
    /// loose objects stay until the new pack is whole, so nothing is lost.
    @Test func killedGCLosesNothing() async throws {
        try await offPool(heavy: true) {
            let dir = TemporaryDirectory("banyan-crash-gc")
            let repo = try Self.durableStore(in: dir)
            var acknowledged: [String] = []
            for round in 0..<12 {
                for branch in ["main", "side-\(round % 3)"] {
                    let lines = (0..<200).map { "d\($0 % 16)/k\($0)\tvalue \($0) \(round) \(branch)\n" }.joined()
                    acknowledged.append(try CLI.ok(repo, ["import", "-b", branch, "-m", "round \(round)"], input: Data(lines.utf8)))
                }
                _ = try Self.killRepeatedly(#"exec "$BANYAN" gc -C "$REPO" --prune=now -q"#, rounds: 1, in: dir, repo: repo,
                                            delays: 10_000...800_000)
                try Self.expectClean(repo, acknowledged: acknowledged, round: round)
                // A gc killed while packing refs leaves `packed-refs.lock` or a
                // `<ref>.lock`, as a killed `git` does; the next writer's error
                // says to remove it, which the operator does here.
                try Self.removeLeftLocks(repo)
            }
            #expect(acknowledged.count > 0)
            // A gc that runs to the end afterwards still finds everything.
            try CLI.ok(repo, ["gc", "--prune=now", "-q"])
            try Self.expectClean(repo, acknowledged: acknowledged)
        }
    }

    /// A merge killed before it moved the branch leaves it where it was; one
    /// that returned is in the branch's history.
    @Test func killedMergesLoseNoAcknowledgedCommit() async throws {
        try await offPool(heavy: true) {
            let dir = TemporaryDirectory("banyan-crash-merge")
            let repo = try Self.durableStore(in: dir)
            try CLI.ok(repo, ["set", "base", "value"])
            try CLI.ok(repo, ["branch", "create", "side"])
            // Both branches change every key, so each merge writes a new tree
            // throughout (`theirs` settles the conflicts).
            let script = Self.importRound + """
                i=0
                while true; do
                  importRound side > /dev/null
                  i=$((i + 1))
                  importRound main > /dev/null
                  out=$("$BANYAN" merge -C "$REPO" -b main --on-conflict theirs -m "merge $i" side) || exit 4
                  echo "${out##* }"
                  i=$((i + 1))
                done
                """
            // Each round runs two imports before its first merge: long enough delays that most rounds merge.
            let acknowledged = try Self.killRepeatedly(script, rounds: 15, in: dir, repo: repo, delays: 200_000...2_500_000)
            #expect(acknowledged.count > 0)
            for id in acknowledged {
                #expect(try GitRunner.run(["merge-base", "--is-ancestor", id, "main"], in: repo, check: false).status == 0,
                        "acknowledged commit \(id) is not in main's history")
            }
        }
    }

    /// A store at `dir/store` that flushes every commit (`banyan.durability commit`).
    static func durableStore(in dir: TemporaryDirectory) throws -> String {
        let repo = dir.appending("store")
        try CLI.ok(repo, ["init"])
        try GitRunner.run(["config", "-f", repo + "/config", "banyan.durability", "commit"])
        return repo
    }

    /// Runs `script` under bash `rounds` times, each time killing it (and
    /// whatever `banyan` it runs) with SIGKILL after a random delay in
    /// microseconds; after each kill the store must reopen fsck-clean with
    /// every commit id the script printed so far. Returns those ids.
    static func killRepeatedly(
        _ script: String, rounds: Int, in dir: TemporaryDirectory, repo: String,
        delays: ClosedRange<UInt32> = 50_000...900_000
    ) throws -> [String] {
        var acknowledged: [String] = []
        var generator = SystemRandomNumberGenerator()
        for round in 0..<rounds {
            let process = Process()
            // Foundation starts the child as the leader of its own process
            // group, so killing the group takes bash and its running `banyan`.
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", script]
            process.environment = ProcessInfo.processInfo.environment.merging(
                ["BANYAN": CLI.executable, "REPO": repo, "INPUT": dir.appending("input-\(round)")]) { $1 }
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Long enough that commands complete even on a loaded machine,
            // short enough that most kills land inside one.
            usleep(UInt32.random(in: delays, using: &generator))
            kill(-process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            acknowledged += printed.split(separator: "\n").map(String.init).filter { $0.count == 40 }
            try expectClean(repo, acknowledged: acknowledged, round: round)
        }
        return acknowledged
    }

    /// Waits (up to two minutes) until no `banyan maintenance run` on
    /// `repo` is running.
    static func waitForDetachedMaintenance(of repo: String) {
        let deadline = Date().addingTimeInterval(120)
        func running() -> Bool {
            let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return pids.contains { pid in
                guard pid.allSatisfy(\.isNumber), let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else {
                    return false
                }
                let arguments = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                return arguments.contains("maintenance") && arguments.contains(repo)
            }
        }
        while running(), Date() < deadline { usleep(50_000) }
    }

    /// Removes the lock files (`*.lock`) a killed process left in `repo`:
    /// each one's target holds the old content or the new, never a torn file.
    static func removeLeftLocks(_ repo: String) throws {
        let files = FileManager.default.enumerator(atPath: repo)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".lock") {
            try FileManager.default.removeItem(atPath: repo + "/" + file)
        }
    }

    /// `git` first, before any Banyan process opens the store: `git fsck
    /// --strict` passes and every acknowledged commit is there as the killed
    /// writer left it; then `banyan fsck` agrees.
    static func expectClean(_ repo: String, acknowledged: [String], round: Int? = nil) throws {
        let label = round.map { "round \($0): " } ?? ""
        // What the killed writer left is checked, not a repack running beside
        // git: a write that made maintenance due started one detached, in its
        // own session, out of the killed group's reach, and a git fsck across
        // its deletion of an expired replaced pack reports that pack
        // (docs/durability.md).
        waitForDetachedMaintenance(of: repo)
        let gitFsck = try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: repo, check: false)
        #expect(gitFsck.status == 0, "\(label)git fsck: \(gitFsck.stderr)")
        for id in acknowledged {
            #expect(try GitRunner.run(["cat-file", "-e", id], in: repo, check: false).status == 0, "\(label)\(id) is gone")
        }
        let fsck = try CLI.run(["fsck", "-C", repo])
        #expect(fsck.status == 0, "\(label)\(fsck.text) \(fsck.stderr)")
    }
}
