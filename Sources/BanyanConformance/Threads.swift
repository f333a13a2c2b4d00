import Foundation
import Synchronization

/// Runs `body(0)` … `body(count - 1)` each on its own thread, all at once,
/// waits for every one, and returns what the failing ones threw, as
/// `thread <i>: <error>`.
///
/// Real threads rather than tasks: backends block (lock files, `fsync`,
/// sleeps), and blocking calls on the cooperative pool would serialize on a
/// two-core machine instead of racing.
public func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> [String] {
    let failures = Mutex<[String]>([])
    let finished = DispatchGroup()
    for index in 0..<count {
        finished.enter()
        Thread {
            defer { finished.leave() }
            do {
                try body(index)
            } catch {
                failures.withLock { $0.append("thread \(index): \(error)") }
            }
        }.start()
    }
    finished.wait()
    return failures.withLock { $0 }
}

/// Runs `body` on a thread of its own and awaits its result, keeping the
/// cooperative pool free: on a two-core machine that pool has two threads,
/// and a test blocking one (waiting on a child process, a long loop of
/// them) starves the in-process servers of tests running beside it.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
