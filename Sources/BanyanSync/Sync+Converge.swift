import Banyan

extension Sync {
    /// Brings `branches` of this store and of `remote` together in one round:
    /// fetch, merge the remote's branch into the local one with the store's
    /// merge strategies, push the result.
    ///
    /// When the remote moves between the fetch and the push (another device
    /// pushed), the push is refused and the round starts again from the
    /// fetch, up to `attempts` times; the outcome then names the refusal.
    /// A branch only one side has is created on the other. Conflicts that
    /// `onConflict` leaves stop that branch: it does not move, nothing is
    /// pushed, and the keys are in the outcome. Local commits are never
    /// rewritten: the remote's work comes in as a fast-forward or a merge commit.
    ///
    /// Throws `invalidArgument` for an unknown remote, no branches or
    /// `attempts` below 1, `refNotFound` when neither side has a branch, and
    /// what fetching, merging and pushing throw (`io` when the remote cannot
    /// be reached).
    public func sync(
        remote name: String = "origin", branches: [String], onConflict: ConflictPolicy = .fail, attempts: Int = 3
    ) async throws -> SyncOutcome {
        guard attempts >= 1 else { throw BanyanError(.invalidArgument, "attempts must be at least 1, not \(attempts)") }
        guard !branches.isEmpty else { throw BanyanError(.invalidArgument, "name at least one branch to sync") }
        let remote = try Remotes.get(name, in: repository)
        for branch in branches { _ = try repository.branch(branch) }
        var outcomes: [SyncOutcome.BranchOutcome] = []
        for branch in branches {
            outcomes.append(try await sync(branch, with: remote, onConflict: onConflict, attempts: attempts))
        }
        var outcome = SyncOutcome(remote: remote.name, branches: outcomes)
        outcome.inboxPushed = try await syncInbox(with: remote, attempts: attempts)
        outcome.openConflicts = try ConflictInbox(repository: repository).records().filter { branches.contains($0.branch) }.count
        return outcome
    }

    /// Brings the conflict inboxes of this store and `remote` together:
    /// merges the remote's (fetched by the branch rounds) into the local
    /// one, then pushes the result when the remote lacks it, fetching and
    /// merging again when the remote's inbox moved meanwhile. Returns true
    /// when it pushed.
    private func syncInbox(with remote: Remote, attempts: Int) async throws -> Bool {
        guard let tracking = Self.inboxTracking("refs/remotes/\(remote.name)/") else { return false }
        let inbox = ConflictInbox(repository: repository)
        for attempt in 1...attempts {
            if attempt > 1 { _ = try await fetch(remote) }
            let theirs = try repository.refs.resolve(tracking)
            if let theirs { try inbox.merge(theirs) }
            guard let ours = try inbox.head(), ours != theirs else { return false }
            if try await pushRef(ConflictInbox.refName, ours, to: remote) == nil {
                try repository.refs.compareAndSwap(tracking, expected: .any, new: ours, log: nil)
                return true
            }
        }
        return false
    }

    private func sync(
        _ name: String, with remote: Remote, onConflict: ConflictPolicy, attempts: Int
    ) async throws -> SyncOutcome.BranchOutcome {
        let branch = try repository.branch(name)
        var outcome = SyncOutcome.BranchOutcome(branch: name, action: .upToDate, old: try branch.head(), new: nil,
                                                conflicts: [], pushed: false, pushRefusal: nil, attempts: 0)
        for attempt in 1...attempts {
            outcome.attempts = attempt
            _ = try await fetch(remote)
            switch try mergeTracking(remote: remote.name, branch: name, onConflict: onConflict) {
            case nil, .upToDate: break
            case .fastForward: outcome.action = max(outcome.action, .fastForwarded)
            case .merged: outcome.action = max(outcome.action, .merged)
            case .recorded(_, let conflicts):
                outcome.action = max(outcome.action, .recorded)
                outcome.conflicts = Array(Set(outcome.conflicts).union(conflicts.map(\.key))).sorted()
            case .conflicts(let conflicts):
                outcome.action = .conflicts
                outcome.conflicts = conflicts.map(\.key)
                outcome.new = try branch.head()
                return outcome
            }
            guard let head = try branch.head() else {
                throw BanyanError(.refNotFound, "neither this store nor remote \(remote.name) has a branch \(name)")
            }
            outcome.new = head
            if try repository.refs.resolve("refs/remotes/\(remote.name)/\(name)") == head {
                outcome.pushRefusal = nil
                return outcome
            }
            let result = try await push(head, to: remote, branch: name)
            guard case .some(.some(let refusal)) = result.statuses[branch.refName] else {
                outcome.pushed = true
                outcome.pushRefusal = nil
                return outcome
            }
            outcome.pushRefusal = refusal
        }
        return outcome
    }
}
