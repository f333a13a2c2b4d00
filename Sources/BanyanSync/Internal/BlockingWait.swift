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

/// A task executor that runs jobs on a dispatch queue, whose threads are
/// not the cooperative pool's: a job may block (wait for a fetch, a child
/// process) without starving tasks on that pool.
package final class QueueExecutor: TaskExecutor {
    /// One concurrent queue for short waits. Dispatch rations its threads
    /// by core count, adding one only when it sees the others blocked.
    package static let shared = QueueExecutor(DispatchQueue(label: "banyan.blocking-wait", attributes: .concurrent))

    /// An executor on a serial queue of its own, for one task that blocks
    /// for minutes (`offPool` in BanyanConformance): a serial queue's
    /// thread is not rationed, so the task starts at once however many
    /// other threads are blocked or busy.
    package static func dedicated(label: String) -> QueueExecutor {
        QueueExecutor(DispatchQueue(label: label))
    }

    private let queue: DispatchQueue

    private init(_ queue: DispatchQueue) {
        self.queue = queue
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
