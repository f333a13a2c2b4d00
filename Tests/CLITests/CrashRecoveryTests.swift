import BanyanTestSupport
import Foundation
import Testing

/// A writer killed with SIGKILL at random points leaves a store that reopens
/// fsck-clean with every acknowledged commit in place.
@Suite("Crash recovery")
struct CrashRecoveryTests {
    @Test func killedWritersLoseNoAcknowledgedCommit() throws {
        let dir = TemporaryDirectory("banyan-crash")
        let repo = dir.appending("store")
        try CLI.ok(repo, ["init"])
        try GitRunner.run(["config", "-f", repo + "/config", "banyan.durability", "commit"])
        // Each import appends ~300 objects; the loop prints a commit id only
        // after `banyan import` returned, which is what acknowledged means.
        let script = """
            i=0
            while true; do
              for k in $(seq 0 199); do printf 'd%d/k%d\\tvalue %d %d\\n' $((k % 16)) $k $k $i; done > "$INPUT.$i"
              id=$("$BANYAN" import -C "$REPO" -m "round $i" < "$INPUT.$i") || exit 3
              echo "$id"
              i=$((i + 1))
            done
            """
        var acknowledged: [String] = []
        var generator = SystemRandomNumberGenerator()
        for round in 0..<50 {
            let process = Process()
            // Foundation starts the child as the leader of its own process
            // group, so killing the group takes bash and its running import.
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", script]
            process.environment = ProcessInfo.processInfo.environment.merging(
                ["BANYAN": CLI.executable, "REPO": repo, "INPUT": dir.appending("input-\(round)")]) { $1 }
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Long enough that imports complete even on a loaded machine, short
            // enough that most kills land inside one.
            usleep(UInt32.random(in: 50_000...900_000, using: &generator))
            kill(-process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            acknowledged += printed.split(separator: "\n").map(String.init).filter { $0.count == 40 }

            // Reopening recovers the abandoned append pack; then both fscks pass.
            let fsck = try CLI.run(["fsck", "-C", repo])
            #expect(fsck.status == 0, "round \(round): \(fsck.text) \(fsck.stderr)")
            try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: repo)
            if let last = acknowledged.last {
                try GitRunner.run(["merge-base", "--is-ancestor", last, "main"], in: repo)
            }
        }
        #expect(acknowledged.count > 0)
        for id in acknowledged {
            #expect(try GitRunner.run(["cat-file", "-e", id], in: repo, check: false).status == 0, "\(id)")
        }
    }
}
