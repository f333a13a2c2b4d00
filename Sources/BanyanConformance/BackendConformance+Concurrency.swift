import Banyan
import Synchronization

extension BackendConformance {
    static let concurrencyChecks: [Check] = [
        Check("concurrent compare-and-swap increments lose no update") { store in
            try concurrentIncrements(store, threads: 8, incrementsPerThread: 25)
        },
    ]

    /// Runs `threads` threads that each advance a counter ref `incrementsPerThread`
    /// times by read, compute, compare-and-swap, retrying on `staleRef` and
    /// `refLocked`. The counter value n is stored as the id of the blob "n", so
    /// a lost update shows as a final value short of the total, and the reflog
    /// must be one unbroken chain of increments.
    static func concurrentIncrements(_ store: Backend, threads: Int, incrementsPerThread: Int) throws {
        let algorithm = store.hashAlgorithm
        let total = threads * incrementsPerThread
        let counterIDs = (0...total).map { blob(String($0)).id(algorithm) }
        let valueOf = Dictionary(uniqueKeysWithValues: counterIDs.enumerated().map { ($1, $0) })
        let ref = "refs/heads/counter"
        try store.compareAndSwap(ref, expected: .absent, new: try store.put(blob("0")), log: log("start", algorithm))

        let successes = Mutex(0)
        let failures = runOnThreads(threads) { thread in
            try incrementLoop(store, ref: ref, times: incrementsPerThread, valueOf: valueOf, thread: thread)
            successes.withLock { $0 += incrementsPerThread }
        }
        try expectEqual(failures, [], "thread failures")
        try expectEqual(successes.withLock { $0 }, total, "successful increments")
        let final = try store.resolve(ref)
        try expectEqual(final.flatMap { valueOf[$0] }, total, "final counter value")
        let log = try store.reflog(ref)
        try expectEqual(log.count, total + 1, "reflog entries")
        for (n, entry) in log.enumerated().dropFirst() {
            try expect(entry.old == counterIDs[n - 1] && entry.new == counterIDs[n], "reflog entry \(n) moves \(n - 1) → \(n)")
        }
    }

    private static func incrementLoop(
        _ store: Backend, ref: String, times: Int, valueOf: [ObjectID: Int], thread: Int
    ) throws {
        var done = 0
        var attempts = 0
        while done < times {
            attempts += 1
            try expect(attempts < 100_000, "thread \(thread) made no progress in 100000 attempts")
            guard let current = try store.resolve(ref), let n = valueOf[current] else {
                throw ConformanceFailure(message: "counter ref holds an unknown value", location: "\(#fileID):\(#line)")
            }
            let next = try store.put(blob(String(n + 1)))
            do {
                try store.compareAndSwap(ref, expected: .value(current), new: next,
                                         log: log("increment \(n + 1) by thread \(thread)", store.hashAlgorithm))
                done += 1
            } catch let error as BanyanError where error.code == .staleRef || error.code == .refLocked {
                continue
            }
        }
    }
}
