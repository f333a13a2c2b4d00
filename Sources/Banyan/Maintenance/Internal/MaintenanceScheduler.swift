import Dispatch
import Synchronization

/// Runs due maintenance in the background of a long-lived process: each
/// write that adds a pack (or loose objects) pokes it; the check and the
/// run happen on one utility queue, one at a time, so writers never wait
/// for a repack. The first check of a burst waits `settle` after the poke
/// that scheduled it, so a burst of writes (a service taking hundreds a
/// second, each sealing a pack) is rolled up by one repack instead of one
/// each; pokes that arrive meanwhile or during a run are coalesced into
/// one more check right after it.
final class MaintenanceScheduler: Sendable {
    /// How long a check waits for more writes after the first poke.
    static let settle: Duration = .milliseconds(500)

    private struct State {
        var scheduled = false
        var again = false
        var runs = 0
        var lastError: BanyanError?
    }

    private let queue = DispatchQueue(label: "banyan.maintenance", qos: .utility)
    private let state = Mutex(State())
    /// Signalled to end a settling wait early (`waitUntilIdle`).
    private let hurry = DispatchSemaphore(value: 0)

    /// Notes that `backend` changed its object files; schedules a check
    /// unless one is scheduled already. Returns at once.
    func poke(_ backend: FileSystemBackend) {
        let start = state.withLock { state in
            if state.scheduled {
                state.again = true
                return false
            }
            state.scheduled = true
            return true
        }
        guard start else { return }
        queue.async { [self] in drain(backend) }
    }

    /// Blocks until the checks scheduled so far (and the runs they start)
    /// are done; a check still settling starts at once.
    func waitUntilIdle() {
        hurry.signal()
        queue.sync {}
        // A signal no wait took would cut the next burst's settling short.
        while hurry.wait(timeout: .now()) == .success {}
    }

    /// Maintenance runs completed, and the last error one ended with (a
    /// full disk, a corrupt pack): the next poke tries again.
    var status: (runs: Int, lastError: BanyanError?) {
        state.withLock { ($0.runs, $0.lastError) }
    }

    private func drain(_ backend: FileSystemBackend) {
        // Settle once, at the start of a burst; pokes that arrive during a
        // run are checked right after it, so a steady stream of writes keeps
        // one repack running after another.
        let (seconds, attoseconds) = Self.settle.components
        _ = hurry.wait(timeout: .now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)))
        repeat {
            state.withLock { $0.again = false }
            let runner = MaintenanceRunner(backend: backend, background: true)
            do {
                let tasks = try runner.due()
                if !tasks.isEmpty {
                    _ = try runner.run(tasks, waiting: false)
                    state.withLock { $0.runs += 1 }
                }
            } catch let error as BanyanError where error.code == .refLocked {
                // Another process is maintaining the store.
            } catch {
                let failure = error as? BanyanError ?? BanyanError(.io, "maintenance failed", cause: error)
                state.withLock { $0.lastError = failure }
            }
        } while state.withLock { state in
            if state.again { return true }
            state.scheduled = false
            return false
        }
        // Replaced packs are deleted by a later run: make sure there is one.
        let grace = (try? MaintenanceSettings(config: backend.loadConfig()).replacedPackGrace()) ?? ReplacedPacks.defaultGrace
        if grace.isFinite, let expiry = ReplacedPacks.nextExpiry(backend.path, grace: grace) {
            let delay = max(0, expiry.timeIntervalSinceNow) + 0.1
            queue.asyncAfter(deadline: .now() + delay) { [self] in poke(backend) }
        }
    }
}
