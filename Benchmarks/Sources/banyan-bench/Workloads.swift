import Banyan
import Foundation

/// The fixed data of ../shared/BENCHMARKS.md.
enum BenchData {
    /// `String(format: "%02x/k%06d", n % 256, n)`, spelled out: Foundation's
    /// formatter would cost more than the store's own work on a key.
    static func key(_ n: Int) -> Key {
        guard (0..<1_000_000).contains(n) else { return try! Key(String(format: "%02x/k%06d", n % 256, n)) }
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = [hex[(n % 256) >> 4], hex[n % 16], UInt8(ascii: "/"), UInt8(ascii: "k")]
        var digits = n, decimal = [UInt8](repeating: UInt8(ascii: "0"), count: 6)
        for i in stride(from: 5, through: 0, by: -1) {
            decimal[i] = UInt8(ascii: "0") + UInt8(digits % 10)
            digits /= 10
        }
        text += decimal
        // Every generated key is valid: two hex digits, a slash, k and six digits.
        return try! Key(String(decoding: text, as: UTF8.self))
    }

    static func value(_ tag: String, _ n: Int) -> Data {
        let unit = Array("\(tag)-\(n)-".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(100)
        while bytes.count < 100 { bytes.append(unit[bytes.count % unit.count]) }
        return Data(bytes)
    }

    static func signature(_ index: Int) -> Signature {
        Signature(name: "Bench", email: "bench@example.com", time: 1_700_000_000 + Int64(index), timeZoneMinutes: 0)
    }
}

/// Sizes: the full workloads, or a smoke size CI runs so the harness cannot rot.
struct Scale {
    var historyCommits: Int
    var keys: Int
    var reads: Int
    var mergeKeys: Int
    var durableCommits: Int
    var serviceWrites: Int

    static let full = Scale(historyCommits: 20_000, keys: 100_000, reads: 100_000, mergeKeys: 1_000, durableCommits: 250,
                            serviceWrites: 10_000)
    static let smoke = Scale(historyCommits: 200, keys: 2_000, reads: 2_000, mergeKeys: 50, durableCommits: 10,
                             serviceWrites: 200)
}

/// One measured figure.
struct Figure: Codable {
    var name: String
    var value: Double
    var unit: String
}

enum Workloads {
    /// W1: commits in sequence, five keys each, made in one `Branch.batch`
    /// (as fast-import makes them from one stream); then again on a fresh
    /// store with one transaction (and one ref update) per commit.
    static func history(_ scale: Scale, at path: String) throws -> [Figure] {
        let repo = try Repository.create(at: path)
        let start = Date(), cpuStart = processCPUSeconds()
        try writeHistory(repo, scale, batched: true)
        let cpu = processCPUSeconds() - cpuStart
        let seconds = Date().timeIntervalSince(start)
        try repo.flush()
        let flushed = try diskUsage(path)
        let commitRSS = peakRSSBytes()
        // The peers, on copies of the same repository: git gc (which reuses
        // the append packs' entries as they are) and git repack -a -d -f
        // (deltas and compression recomputed, Banyan's settings).
        try FileManager.default.copyItem(atPath: path, toPath: path + "-git")
        try FileManager.default.copyItem(atPath: path, toPath: path + "-git-f")
        defer {
            try? FileManager.default.removeItem(atPath: path + "-git")
            try? FileManager.default.removeItem(atPath: path + "-git-f")
        }
        let gcStart = Date()
        let report = try repo.gc()
        let gcSeconds = Date().timeIntervalSince(gcStart)
        let gitStart = Date()
        try Processes.git(["gc", "--quiet"], in: path + "-git")
        let gitSeconds = Date().timeIntervalSince(gitStart)
        let repackStart = Date()
        try Processes.git(["repack", "-q", "-a", "-d", "-f", "--window=10", "--depth=50"], in: path + "-git-f")
        let repackSeconds = Date().timeIntervalSince(repackStart)
        let eachSeconds = try historyEachSeconds(scale, at: path + "-each")
        try? FileManager.default.removeItem(atPath: path + "-each")
        return [
            Figure(name: "commits/s", value: Double(scale.historyCommits) / seconds, unit: "commits/s"),
            Figure(name: "wall", value: seconds, unit: "s"),
            Figure(name: "cpu", value: cpu, unit: "s"),
            Figure(name: "commits/s, a transaction each", value: Double(scale.historyCommits) / eachSeconds,
                   unit: "commits/s"),
            Figure(name: "disk after flush", value: Double(flushed), unit: "bytes"),
            Figure(name: "peak RSS of the commits", value: commitRSS, unit: "bytes"),
            Figure(name: "gc wall", value: gcSeconds, unit: "s"),
            Figure(name: "pack after gc", value: Double(report.packBytes), unit: "bytes"),
            Figure(name: "disk after gc", value: Double(try diskUsage(path)), unit: "bytes"),
            Figure(name: "git gc wall", value: gitSeconds, unit: "s"),
            Figure(name: "disk after git gc", value: Double(try diskUsage(path + "-git")), unit: "bytes"),
            Figure(name: "git repack -adf wall", value: repackSeconds, unit: "s"),
            Figure(name: "disk after git repack -adf", value: Double(try diskUsage(path + "-git-f")), unit: "bytes"),
        ]
    }

    /// W1t alone: W1's commits, each its own transaction, on a fresh store
    /// (`banyan-bench W1T`, to profile the per-commit path by itself).
    static func historyEach(_ scale: Scale, at path: String) throws -> [Figure] {
        let seconds = try historyEachSeconds(scale, at: path)
        return [Figure(name: "commits/s, a transaction each", value: Double(scale.historyCommits) / seconds,
                       unit: "commits/s")]
    }

    /// Seconds W1's commits take on a fresh store at `path`, one transaction each.
    static func historyEachSeconds(_ scale: Scale, at path: String) throws -> Double {
        var repo = try Repository.create(at: path)
        if ProcessInfo.processInfo.environment["BANYAN_BENCH_NO_MAINTENANCE"] != nil {
            try Processes.git(["config", "maintenance.auto", "false"], in: path)
            repo = try Repository.open(at: path)
        }
        let start = Date()
        try writeHistory(repo, scale, batched: false)
        return Date().timeIntervalSince(start)
    }

    /// W1's commits: in sequence, five keys each; in one batch (one ref
    /// update at the end) or each its own transaction.
    static func writeHistory(_ repo: Repository, _ scale: Scale, batched: Bool) throws {
        let main = try repo.branch("main")
        func change(_ tx: inout Transaction, _ c: Int) {
            for j in 0..<5 {
                let n = ((c * 5 + j) * 7919) % 100_000
                tx.set(BenchData.key(n), BenchData.value("h\(c)", n))
            }
        }
        guard batched else {
            for c in 0..<scale.historyCommits {
                let sig = BenchData.signature(c)
                try main.transaction(message: "c\(c)", author: sig, committer: sig) { change(&$0, c) }
            }
            return
        }
        try main.batch { batch in
            for c in 0..<scale.historyCommits {
                let sig = BenchData.signature(c)
                try batch.commit(message: "c\(c)", author: sig, committer: sig) { change(&$0, c) }
            }
        }
    }

    /// W2: one commit of all keys.
    static func bulk(_ scale: Scale, at path: String) throws -> [Figure] {
        let repo = try Repository.create(at: path)
        let start = Date()
        try bulkLoad(repo, scale)
        try repo.flush()
        let seconds = Date().timeIntervalSince(start)
        return [
            Figure(name: "wall", value: seconds, unit: "s"),
            Figure(name: "disk", value: Double(try diskUsage(path)), unit: "bytes"),
        ]
    }

    /// W3: point reads at `main` over W2's result (the load is not timed).
    static func reads(_ scale: Scale, at path: String) throws -> [Figure] {
        try bulkLoad(try Repository.create(at: path), scale)
        let main = try Repository.open(at: path).branch("main")
        let start = Date()
        let snapshot = try main.snapshot()
        for i in 0..<scale.reads {
            let n = (i * 7919) % scale.keys
            guard try snapshot.get(BenchData.key(n)) == BenchData.value("b", n) else {
                throw BanyanError(.corruptObject, "W3 read a wrong value at key \(n)")
            }
        }
        let seconds = Date().timeIntervalSince(start)
        return [Figure(name: "reads/s", value: Double(scale.reads) / seconds, unit: "reads/s")]
    }

    /// W4: on W2's result, branch `a` changes keys 0..<1000, branch `b` keys
    /// 50000..<51000 (scaled), then `b` is merged into `a` (only the merge is timed).
    static func merge(_ scale: Scale, at path: String) throws -> [Figure] {
        let repo = try Repository.create(at: path)
        try bulkLoad(repo, scale)
        let a = try repo.createBranch("a"), b = try repo.createBranch("b")
        let sig = BenchData.signature(1)
        try a.transaction(message: "a", author: sig, committer: sig) { tx in
            for n in 0..<scale.mergeKeys { tx.set(BenchData.key(n), BenchData.value("a", n)) }
        }
        let half = scale.keys / 2
        try b.transaction(message: "b", author: sig, committer: sig) { tx in
            for n in half..<(half + scale.mergeKeys) { tx.set(BenchData.key(n), BenchData.value("b2", n)) }
        }
        // The same merge by the `banyan merge` process, on a copy.
        try repo.flush()
        try FileManager.default.copyItem(atPath: path, toPath: path + "-cli")
        defer { try? FileManager.default.removeItem(atPath: path + "-cli") }
        let processSeconds = try Processes.run(try Processes.banyanExecutable(),
                                               ["merge", "b", "-b", "a", "-m", "merge b", "-C", path + "-cli"])
        let start = Date(), cpuStart = processCPUSeconds()
        let outcome = try repo.merge(from: b, into: a, message: "merge b", author: BenchData.signature(2))
        let seconds = Date().timeIntervalSince(start), cpu = processCPUSeconds() - cpuStart
        guard case .merged = outcome else {
            throw BanyanError(.mergeConflict, "W4 merge did not merge cleanly: \(outcome)")
        }
        return [
            Figure(name: "merge wall", value: seconds, unit: "s"),
            Figure(name: "merge cpu", value: cpu, unit: "s"),
            Figure(name: "banyan merge process wall", value: processSeconds, unit: "s"),
        ]
    }

    /// W6: four writers, each on its own branch, every commit fsync'd before it returns.
    static func durable(_ scale: Scale, at path: String) throws -> [Figure] {
        let repo = try Repository.create(at: path, configuration: .init(durability: .commit))
        return [Figure(name: "commits/s", value: try durableCommitsPerSecond(repo, scale), unit: "commits/s")]
    }

    /// W6's writers on `repo`, whose backend makes each commit durable before it returns; commits/s.
    static func durableCommitsPerSecond(_ repo: Repository, _ scale: Scale) throws -> Double {
        let start = Date()
        let failures = NSLock()
        nonisolated(unsafe) var firstError: (any Error)?
        DispatchQueue.concurrentPerform(iterations: 4) { writer in
            do {
                let branch = try repo.branch("w\(writer)")
                for c in 0..<scale.durableCommits {
                    let sig = BenchData.signature(c)
                    try branch.set(BenchData.key(writer), BenchData.value("w\(writer)", c), message: "c\(c)",
                                   author: sig, committer: sig)
                }
            } catch {
                failures.withLock { firstError = firstError ?? error }
            }
        }
        if let firstError { throw firstError }
        return Double(4 * scale.durableCommits) / Date().timeIntervalSince(start)
    }

    static func bulkLoad(_ repo: Repository, _ scale: Scale) throws {
        let sig = BenchData.signature(0)
        try repo.branch("main").transaction(message: "c0", author: sig, committer: sig) { tx in
            for n in 0..<scale.keys { tx.set(BenchData.key(n), BenchData.value("b", n)) }
        }
    }

    /// `du -sb`: apparent bytes of every file under `path`. A file that
    /// goes while it is counted (a lock file of background maintenance) counts nothing.
    static func diskUsage(_ path: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: path) else { throw BanyanError(.io, "no store at \(path)") }
        var total = 0
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let name = enumerator?.nextObject() as? String {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name) else { continue }
            total += (attributes[.size] as? Int) ?? 0
        }
        return total
    }
}
