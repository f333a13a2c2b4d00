import Banyan
import Foundation

/// A store kept converged with its remotes, as the events an app can show:
/// "synced 3 s ago", "offline", "conflict in notes/x".
///
/// Made by ``Sync/live(remotes:branches:options:)``. Iterating starts the
/// work; it runs until the iterating task is cancelled (the sequence then
/// ends) and each iteration runs its own. Per remote, a round of
/// ``Sync/sync(remote:branches:onConflict:attempts:)`` runs at the start,
/// when a synced branch moves locally (any writer, this process or
/// another), and when the remote changes: a `banyan serve` remote announces
/// its changes on its change stream (Server-Sent Events), which is
/// followed; other remotes are polled, every `pollInterval` while things
/// change, slowing down to `idlePollInterval` while they do not. A failed
/// round (the remote is down, the network dropped) is retried after an
/// exponential backoff with jitter, capped at `maxRetryDelay`; local commits
/// made meanwhile stay in the store and go out with the next round that
/// succeeds. Commits are never rewritten, so none is lost or duplicated.
///
/// Events are buffered (the newest 1024) when the app reads more slowly
/// than they come.
public struct LiveSync: AsyncSequence, Sendable {
    /// Something that happened while syncing.
    public enum Event: Sendable {
        /// How changes of `remote` are noticed, once that is known.
        case following(remote: String, mode: Mode)
        /// `remote` answered after being unreachable (or for the first time).
        case online(remote: String)
        /// A round with `outcome.remote` finished at `at`: what was pulled
        /// (fast-forwarded, merged), pushed, or left in conflict. Every
        /// round reports, including those with nothing to do.
        case synced(SyncOutcome, at: Date)
        /// A round met conflicts at `keys` of `branch` with `remote`. With
        /// `ConflictRule.record` they are in the `ConflictInbox` and the
        /// merge was pushed; otherwise the branch keeps its local value and
        /// is not pushed until the conflict is resolved (by a commit on
        /// either side). Reported when the set of keys changes, not every round.
        case conflict(remote: String, branch: String, keys: [Key])
        /// A round with `remote` failed with `error`; the next try is in `retryIn`.
        case offline(remote: String, error: any Error, retryIn: Duration)
    }

    /// How a remote's changes are noticed.
    public enum Mode: String, Hashable, Sendable {
        /// The remote is a `banyan serve`: its change stream is followed.
        case events
        /// Another Git host or a path: it is polled.
        case polling
    }

    /// Timings and the conflict rule of a live sync.
    public struct Options: Hashable, Sendable {
        /// What to keep where no merge strategy resolves a conflict.
        public var onConflict: ConflictRule
        /// Fetch-merge-push attempts per round when the remote moves meanwhile.
        public var attempts: Int
        /// How often a polled remote is asked while things change.
        public var pollInterval: Duration
        /// How often a remote is asked while nothing changes; also the safety
        /// net of a followed remote, whose stream could die silently.
        public var idlePollInterval: Duration
        /// The wait before the first retry after a failure; it doubles per failure.
        public var retryDelay: Duration
        /// The longest wait between retries.
        public var maxRetryDelay: Duration
        /// How long a round may take before it is given up as failed: a
        /// network that drops packets silently would otherwise hold it for
        /// as long as the HTTP timeouts allow.
        public var roundTimeout: Duration
        /// How long a followed change stream may carry nothing before it is
        /// taken for dead and reopened (`banyan serve` sends a keep-alive
        /// comment every 15 s).
        public var streamStallTimeout: Duration

        /// Options; by default conflicts are left (`.fail`), 3 attempts,
        /// polls every 1 s slowing to 15 s, retries from 250 ms up to 10 s,
        /// rounds given up after a minute, streams silent for 45 s reopened.
        public init(onConflict: ConflictRule = .fail, attempts: Int = 3, pollInterval: Duration = .seconds(1),
                    idlePollInterval: Duration = .seconds(15), retryDelay: Duration = .milliseconds(250),
                    maxRetryDelay: Duration = .seconds(10), roundTimeout: Duration = .seconds(60),
                    streamStallTimeout: Duration = .seconds(45)) {
            self.streamStallTimeout = streamStallTimeout
            self.onConflict = onConflict
            self.attempts = attempts
            self.pollInterval = pollInterval
            self.idlePollInterval = idlePollInterval
            self.retryDelay = retryDelay
            self.maxRetryDelay = maxRetryDelay
            self.roundTimeout = roundTimeout
        }

        /// The wait before retrying after `failures` failures in a row:
        /// `retryDelay` doubled per failure, capped at `maxRetryDelay`, then
        /// a random part of up to half of it taken off, so devices that lost
        /// the same server do not all come back at the same instant.
        func retryDelay(after failures: Int) -> Duration {
            var delay = retryDelay
            for _ in 1..<Swift.max(1, Swift.min(failures, 32)) where delay < maxRetryDelay { delay *= 2 }
            delay = Swift.min(delay, maxRetryDelay)
            return delay - delay * Double.random(in: 0..<0.5)
        }

        func validate() throws {
            guard attempts >= 1 else { throw BanyanError(.invalidArgument, "attempts must be at least 1, not \(attempts)") }
            guard pollInterval > .zero, retryDelay > .zero, roundTimeout > .zero, streamStallTimeout > .zero else {
                throw BanyanError(.invalidArgument, "the poll interval, the retry delay and the timeouts must be positive")
            }
            guard idlePollInterval >= pollInterval, maxRetryDelay >= retryDelay else {
                throw BanyanError(.invalidArgument, "the idle poll interval and the longest retry delay must not be shorter than the poll interval and the first retry delay")
            }
        }
    }

    let sync: Sync
    let remotes: [Remote]
    let branches: [String]
    let options: Options

    /// Starts syncing; the iterator ends when the iterating task is cancelled.
    public func makeAsyncIterator() -> AsyncStream<Event>.Iterator {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(1024))
        let followers = remotes.map { remote in
            RemoteFollower(sync: sync, remote: remote, branches: branches, options: options) { continuation.yield($0) }
        }
        let (repository, watched, pause) = (sync.repository, Set(branches), options.pollInterval)
        let task = Task {
            await withDiscardingTaskGroup { group in
                for follower in followers { group.addTask { await follower.run() } }
                group.addTask { await Self.wakeOnLocalChanges(repository, of: watched, followers, pause: pause) }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream.makeAsyncIterator()
    }

    /// Wakes every follower when one of `branches` moves in the store, until cancelled.
    private static func wakeOnLocalChanges(_ repository: Repository, of branches: Set<String>,
                                           _ followers: [RemoteFollower], pause: Duration) async {
        while !Task.isCancelled {
            do {
                for try await event in try repository.branchEvents() where branches.contains(event.branch) {
                    for follower in followers { follower.wake.post("refs/heads/\(event.branch)") }
                }
            } catch {
                // The refs could not be read (a transient I/O error): the
                // followers' own rounds go on; look again after a pause.
                try? await Task.sleep(for: pause)
            }
        }
    }
}

extension Sync {
    /// Keeps `branches` of this store converged with `remotes`, continuously:
    /// see ``LiveSync`` for what it does and the events it reports.
    ///
    /// Throws `invalidArgument` for an unknown remote, no remotes or branches,
    /// an invalid branch name or inconsistent options; what goes wrong later
    /// is reported as `.offline` events and retried.
    public func live(remotes: [String] = ["origin"], branches: [String], options: LiveSync.Options = .init()) throws -> LiveSync {
        guard !remotes.isEmpty else { throw BanyanError(.invalidArgument, "name at least one remote to sync with") }
        guard !branches.isEmpty else { throw BanyanError(.invalidArgument, "name at least one branch to sync") }
        try options.validate()
        for branch in branches { _ = try repository.branch(branch) }
        let resolved = try firstOfEach(remotes).map { try Remotes.get($0, in: repository) }
        return LiveSync(sync: self, remotes: resolved, branches: firstOfEach(branches), options: options)
    }
}

/// `names` without repeats, in their first order.
private func firstOfEach(_ names: [String]) -> [String] {
    var seen = Set<String>()
    return names.filter { seen.insert($0).inserted }
}
