import Foundation
import Synchronization

/// Tells watchers that a ref moved, so they need not wait for their next poll.
///
/// The one door of ref changes: a ``RefChangeSource`` store posts here after
/// every ref it changes, whichever code asked (a branch write, a merge, a
/// reset, a received push, a fetch, an unbundle), and the filesystem backend
/// also posts the changes other processes make, which it sees through
/// inotify once something waits. Watches (``Branch/changes(prefix:since:pollInterval:)``,
/// ``Repository/branchEvents(pollInterval:)``, the REST change stream) wait
/// here and re-read the refs when woken; they poll only as a fallback, when
/// ``seesEveryChange`` is false. Thread-safe; posting costs one lock and
/// resumes only waiting watchers.
public final class RefChangeNotifier: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
        /// Runs once, before the first wait: starts watching other writers.
        var onFirstWait: (@Sendable () -> Bool)?
        var seesEveryChange = false
    }

    private let state: Mutex<State>

    /// A notifier with no waiters. `seesEveryChange` says whether every
    /// change of the refs is posted (a store only this process can write).
    public init(seesEveryChange: Bool = false) {
        state = Mutex(State(seesEveryChange: seesEveryChange))
    }

    /// True when every change of the refs, from any writer, is posted: the
    /// store is in memory, or another process's changes are watched.
    /// Watches then poll only rarely, as a safety net.
    public var seesEveryChange: Bool { state.withLock { $0.seesEveryChange } }

    /// Sets what runs before the first wait: it starts watching other
    /// writers and returns whether every change is posted from then on.
    package func onFirstWait(_ start: @escaping @Sendable () -> Bool) {
        state.withLock { $0.onFirstWait = start }
    }

    /// How long a watch waits before it re-reads the refs without being
    /// woken: `pollInterval`, or when every change is posted, at least five seconds.
    public func fallbackInterval(_ pollInterval: Duration) -> Duration {
        startWatching()
        return seesEveryChange ? max(pollInterval, .seconds(5)) : pollInterval
    }

    private func startWatching() {
        guard let start = state.withLock({ state -> (@Sendable () -> Bool)? in
            defer { state.onFirstWait = nil }
            return state.onFirstWait
        }) else { return }
        let sees = start()
        state.withLock { $0.seesEveryChange = $0.seesEveryChange || sees }
    }

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
        startWatching()
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
