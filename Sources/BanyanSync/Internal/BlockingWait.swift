import Dispatch
import Synchronization

/// Runs async work to completion from synchronous code (a read of a
/// missing object, which fetches it): the caller's thread waits while the
/// work runs on a dispatch queue of its own, never on the cooperative
/// pool, so callers blocking threads of that pool cannot starve it.
package enum BlockingWait {
    /// The result of `body`, run to completion; rethrows its error.
    package static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<T, any Error>?>(nil)
        Task(executorPreference: QueueExecutor.shared) {
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        // `done` is signalled only after the result is set.
        return try result.withLock { $0! }.get()
    }
}

/// A task executor that runs jobs on a concurrent dispatch queue, whose
/// threads are not the cooperative pool's: a job may block (wait for a
/// fetch, a child process) without starving tasks on that pool. Also what
/// tests blocking for minutes run on (`offPool` in BanyanConformance).
package final class QueueExecutor: TaskExecutor {
    package static let shared = QueueExecutor()
    private let queue = DispatchQueue(label: "banyan.blocking-wait", attributes: .concurrent)

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
