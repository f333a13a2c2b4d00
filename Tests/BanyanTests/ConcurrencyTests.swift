import Banyan
import BanyanTestSupport
import Foundation
import Testing

@Suite("Concurrent writers")
struct ConcurrencyTests {
    /// Eight threads increment one counter through transactions: every
    /// increment lands exactly once, because a raced commit re-runs on the new head.
    @Test(arguments: StoreKind.allCases)
    func threadsIncrementingOneCounterLoseNoUpdate(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        try main.set(key("counter"), data("0"))
        let threads = 8, increments = 25
        let failures = FailureLog()
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            do {
                for _ in 0..<increments {
                    try main.transaction(message: "increment by \(worker)") { tx in
                        let value = Int(text(try tx.get(key("counter")))!)!
                        tx.set(key("counter"), data(String(value + 1)))
                        tx.set(key("workers/\(worker)"), data("seen"))
                    }
                }
            } catch {
                failures.record(error)
            }
        }
        #expect(failures.errors.isEmpty)
        #expect(text(try main.get(key("counter"))) == String(threads * increments))
        #expect(try main.log().count == threads * increments + 1)
        #expect(try main.reflog().count == threads * increments + 1)
        #expect(try repo.fsck().isEmpty)
    }

    /// Four threads of one process commit to one branch at once: they take
    /// turns (`BranchTurnstile`), so none builds on a head about to move,
    /// and the store holds no object of a lost race, only what the branch
    /// reaches (git counts the same). Without turns a service's writers
    /// left 13% of their objects unreachable.
    @Test func writersOfOneBranchTakeTurnsAndLeaveNothingUnreachable() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store"
            let repo = try Repository.create(at: path, configuration: .init(maintenance: .off))
            let main = try repo.branch("main")
            try main.set(key("seed"), data("0"))
            let failures = runOnThreads(4) { worker in
                for n in 0..<40 { try main.set(key("w\(worker)/k\(n)"), data("\(worker).\(n)")) }
            }
            #expect(failures.isEmpty)
            #expect(try main.log().count == 4 * 40 + 1)
            let reachable = try GitRunner.run(["rev-list", "--objects", "--all"], in: path).stdout
                .split(separator: UInt8(ascii: "\n")).count
            #expect(try repo.objects.allObjectIDs().count == reachable)
            try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: path)
        }
    }

    /// Writers on different branches never block or disturb each other.
    @Test(arguments: StoreKind.allCases)
    func writersOnSeparateBranches(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let failures = FailureLog()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            do {
                let branch = try repo.branch("w\(worker)")
                for n in 0..<20 { try branch.set(key("k"), data("\(worker)-\(n)")) }
            } catch {
                failures.record(error)
            }
        }
        #expect(failures.errors.isEmpty)
        for worker in 0..<4 {
            #expect(try repo.branch("w\(worker)").log().count == 20)
        }
    }
}

/// Collects errors thrown on worker threads.
final class FailureLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [any Error] = []
    func record(_ error: any Error) { lock.withLock { list.append(error) } }
    var errors: [any Error] { lock.withLock { list } }
}

@Suite("Async callers")
struct AsyncTests {
    /// The store is `Sendable`: tasks share one repository without locks of their own.
    @Test(arguments: StoreKind.allCases)
    func tasksWriteAndReadConcurrently(_ kind: StoreKind) async throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    let branch = try repo.branch("main")
                    for n in 0..<10 { try branch.set(key("t\(worker)/n\(n)"), data("\(n)")) }
                }
            }
            try await group.waitForAll()
        }
        #expect(try repo.branch("main").walk().count == 40)
        #expect(try repo.branch("main").log().count == 40)
    }
}
