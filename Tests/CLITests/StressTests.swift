import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// Eight processes of eight threads each (`banyan-stress`) set keys, commit
/// batches, increment counters, merge branches and gc one filesystem store
/// at once. Afterwards the store is fsck-clean, every acknowledged commit is
/// in its branch's history and reflog, and every counter equals the number
/// of acknowledged increments.
///
/// Runs `BANYAN_STRESS_SECONDS` seconds (20 by default); set it higher for a
/// longer run.
@Suite("Stress")
struct StressTests {
    static let processes = 8, threadsPerProcess = 8
    static let workBranches = ["work-0", "work-1", "work-2", "work-3"]

    @Test func processesAndThreadsLoseNothing() async throws {
        try await offPool(heavy: true) {
            let seconds = ProcessInfo.processInfo.environment["BANYAN_STRESS_SECONDS"].flatMap(Double.init) ?? 20
            let dir = TemporaryDirectory("banyan-stress")
            let store = dir.appending("store")
            let seed = try Repository.create(at: store).branch("main").set(try Key("seed"), Data("seed".utf8))
            let setup = try Repository.open(at: store)
            for name in Self.workBranches + ["counters"] { _ = try setup.createBranch(name, at: seed) }

            let workers = try (0..<Self.processes).map { worker in
                let process = Process()
                // Built beside `banyan` (CLITests depends on both).
                process.executableURL = URL(fileURLWithPath: CLI.executable).deletingLastPathComponent().appendingPathComponent("banyan-stress")
                process.arguments = [store, String(worker), String(seconds), String(Self.threadsPerProcess), dir.appending("log-\(worker)")]
                let output = Pipe(), errors = Pipe()
                process.standardOutput = output
                process.standardError = errors
                try process.run()
                return (process, output, errors)
            }
            for (worker, (process, output, errors)) in workers.enumerated() {
                let summary = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                let failure = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "worker \(worker): \(failure)")
                print(summary, terminator: "")
            }

            var acknowledged: [String: [String]] = [:]
            var increments = [Int](repeating: 0, count: 4)
            var gcs = 0
            for worker in 0..<Self.processes {
                let log = try String(contentsOfFile: dir.appending("log-\(worker)"), encoding: .utf8)
                for line in log.split(separator: "\n") {
                    let fields = line.split(separator: " ").map(String.init)
                    switch fields.first {
                    case "commit": acknowledged[fields[1], default: []].append(fields[2])
                    case "increment":
                        increments[Int(fields[1])!] += 1
                        acknowledged["counters", default: []].append(fields[2])
                    case "gc": gcs += 1
                    default: Issue.record("worker \(worker) logged \(line)")
                    }
                }
            }
            #expect(increments.reduce(0, +) > 0 && acknowledged.count > 1, "nothing was acknowledged")
            #expect(gcs > 0, "no gc ran to the end")

            #expect(try CLI.run(["fsck", "-C", store]).status == 0)
            try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: store)
            let repository = try Repository.open(at: store)
            #expect(try repository.fsck() == [])
            for (branch, ids) in acknowledged {
                let history = Set(try GitRunner.run(["rev-list", "refs/heads/" + branch], in: store).text.split(separator: "\n").map(String.init))
                let logged = Set(try repository.branch(branch).reflog().map(\.new.hex))
                let missing = ids.filter { !history.contains($0) || !logged.contains($0) }
                #expect(missing.isEmpty, "\(branch): \(missing.count) of \(ids.count) acknowledged commits are not in its history and reflog")
            }
            let counters = try repository.branch("counters")
            for (counter, count) in increments.enumerated() {
                let value = try counters.find(try Key("counters/c\(counter)")).map { String(decoding: $0, as: UTF8.self) }
                #expect(value == (count == 0 ? nil : String(count)), "counter \(counter)")
            }
        }
    }
}
