import Foundation
import Synchronization

/// Tells watchers in this process that a ref moved, so they need not wait for
/// their next poll.
///
/// Every ref update a ``Repository`` makes (branch writes, resets, merges,
/// branch creation and deletion) posts here after its compare-and-swap
/// succeeded. Writers in other processes are seen by polling instead.
/// Thread-safe; posting costs one lock and resumes only waiting watchers.
public final class RefChangeNotifier: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    /// A notifier with no waiters.
    public init() {}

    /// How many changes were posted so far; pass it to ``wait(after:timeout:)``.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Records that `refName` moved and wakes every waiting watcher.
    public func post(_ refName: String) {
        let waiters = state.withLock { state in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once a change is posted after `generation`, after `timeout`, or
    /// when the task is cancelled, whichever comes first.
    public func wait(after generation: UInt64, timeout: Duration) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        let timer = Mutex<Task<Void, Never>?>(nil)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.generation != generation || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow {
                    continuation.resume()
                    return
                }
                // Started only once registered, so an early expiry cannot be lost.
                timer.withLock {
                    $0 = Task { [weak self] in
                        try? await Task.sleep(for: timeout)
                        self?.resume(id)
                    }
                }
            }
        } onCancel: {
            resume(id)
        }
        timer.withLock { $0?.cancel() }
    }

    private func resume(_ id: UInt64) {
        state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
    }
}
