import Banyan
import Foundation
import Synchronization

/// Keeps the store's branches converged with one remote for a ``LiveSync``:
/// runs sync rounds when woken (a local branch moved, the remote announced
/// a change, its change stream reconnected) or when a poll is due, and
/// follows the remote's change stream when it is a `banyan serve`.
final class RemoteFollower: Sendable {
    let sync: Sync
    let remote: Remote
    let branches: [String]
    /// The remote's branches whose change streams tell of changes: the
    /// synced branches, or an encrypted remote's carrier branch.
    let streamed: [String]
    let options: LiveSync.Options
    let emit: @Sendable (LiveSync.Event) -> Void
    /// Posted to when something may need syncing; the round loop waits on it.
    let wake = RefChangeNotifier(seesEveryChange: true)
    /// The streamed branches whose change stream is open: while all are, no poll is needed.
    private let streaming = Mutex<Set<String>>([])

    init(sync: Sync, remote: Remote, branches: [String], options: LiveSync.Options,
         emit: @escaping @Sendable (LiveSync.Event) -> Void) {
        self.sync = sync
        self.remote = remote
        self.branches = branches
        streamed = (try? sync.isEncrypted(remote)) == true
            ? [String(EncryptedRemote.carrierRef.dropFirst("refs/heads/".count))] : branches
        self.options = options
        self.emit = emit
    }

    /// Syncs and follows until the task is cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.syncRounds() }
            group.addTask { await self.followRemote() }
        }
    }

    /// Runs a round now, then each time the follower is woken or a poll is due.
    private func syncRounds() async {
        var failures = 0
        var online = false
        var interval = options.pollInterval
        var reported: [String: [Key]] = [:]
        while !Task.isCancelled {
            let generation = wake.generation
            do {
                let outcome = try await round()
                if !online { emit(.online(remote: remote.name)) }
                (online, failures) = (true, 0)
                emit(.synced(outcome, at: Date()))
                for branch in outcome.branches where branch.conflicts != reported[branch.branch, default: []] {
                    reported[branch.branch] = branch.conflicts
                    if !branch.conflicts.isEmpty {
                        emit(.conflict(remote: remote.name, branch: branch.branch, keys: branch.conflicts))
                    }
                }
                interval = outcome.isNothingToDo ? min(interval * 2, options.idlePollInterval) : options.pollInterval
            } catch {
                if Task.isCancelled { return }
                failures += 1
                online = false
                let delay = options.retryDelay(after: failures)
                emit(.offline(remote: remote.name, error: error, retryIn: delay))
                try? await Task.sleep(for: delay)
                continue
            }
            let followed = streaming.withLock { $0.count == streamed.count }
            await wake.wait(after: generation, timeout: followed ? options.idlePollInterval : interval)
        }
    }

    /// One sync round, given up as failed after `roundTimeout`.
    private func round() async throws -> SyncOutcome {
        try await withThrowingTaskGroup(of: SyncOutcome?.self) { group in
            group.addTask {
                try await self.sync.sync(remote: self.remote.name, branches: self.branches,
                                         onConflict: self.options.onConflict.policy, attempts: self.options.attempts)
            }
            group.addTask {
                try await Task.sleep(for: self.options.roundTimeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let outcome = try await group.next() ?? nil else {
                throw BanyanError(.io, "no answer from \(remote.name) within \(options.roundTimeout)")
            }
            return outcome
        }
    }

    /// Follows the change streams of a `banyan serve` remote, reconnecting
    /// with backoff; returns at once for other remotes, which are polled.
    private func followRemote() async {
        guard let transport = try? sync.transport(remote.url) as? HTTPTransport else {
            emit(.following(remote: remote.name, mode: .polling))
            return
        }
        var failures = 0
        while !Task.isCancelled {
            do {
                let served = try await transport.servesBanyanAPI()
                emit(.following(remote: remote.name, mode: served ? .events : .polling))
                guard served else { return }
                break
            } catch {
                failures += 1
                try? await Task.sleep(for: options.retryDelay(after: failures))
            }
        }
        await withDiscardingTaskGroup { group in
            for branch in streamed {
                group.addTask { await self.follow(branch, on: transport) }
            }
        }
    }

    /// Follows one branch's change stream until cancelled, waking the round
    /// loop on each change and on each (re)connection, which may have missed some.
    private func follow(_ branch: String, on transport: HTTPTransport) async {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await transport.followChanges(of: branch, stallTimeout: options.streamStallTimeout, opened: {
                    failures = 0
                    streaming.withLock { _ = $0.insert(branch) }
                    wake.post("refs/heads/\(branch)")
                }, update: { [wake] _ in
                    wake.post("refs/heads/\(branch)")
                })
            } catch {
                // Unreachable, silent, or the branch is not on the remote yet (a round creates it).
            }
            streaming.withLock { _ = $0.remove(branch) }
            failures += 1
            try? await Task.sleep(for: options.retryDelay(after: failures))
        }
    }
}
