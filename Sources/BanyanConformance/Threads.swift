import BanyanSync
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
///
/// The body stays in the calling task (BanyanSync's `QueueExecutor`, a
/// dispatch queue's threads, is the task's preferred executor), so
/// task-local values go with it: a test's `#expect` inside is recorded
/// against that test.
///
/// Dispatch rations that queue's threads: about one a core runs, and it
/// adds one only when it sees the others blocked. So bodies that compute
/// (the power-cut tests) do not all run at once and starve the pool's
/// threads of the CPU, while bodies that wait (on a `git` process) do not
/// keep others from starting. (A thread of its own for each body was tried:
/// a dozen computing bodies then slowed the in-process servers past their
/// tests' time limits.)
///
/// A `heavy` body (minutes of child processes, timing-sensitive kills)
/// first waits, suspended, until fewer heavy bodies than the machine has
/// cores run: run all at once, they would slow each other's processes
/// past what their timings allow.
public func offPool<T: Sendable>(heavy: Bool = false, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    if heavy { await heavySlots.acquire() }
    defer { if heavy { heavySlots.release() } }
    return try await withTaskExecutorPreference(QueueExecutor.shared) { try body() }
}

/// The heavy `offPool` bodies that may run at once: one a core, at least two.
private let heavySlots = Slots(max(2, ProcessInfo.processInfo.activeProcessorCount))

/// A counting semaphore whose waiters suspend instead of blocking a thread.
private final class Slots: Sendable {
    private struct State {
        var free: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(_ count: Int) {
        state = Mutex(State(free: count))
    }

    func acquire() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state in
                guard state.free > 0 else {
                    state.waiters.append(waiter)
                    return false
                }
                state.free -= 1
                return true
            }
            if now { waiter.resume() }
        }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.free += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
