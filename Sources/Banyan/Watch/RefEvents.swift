import Foundation

/// A branch created, moved or deleted, seen by ``Repository/branchEvents(pollInterval:)``.
public struct BranchEvent: Hashable, Sendable {
    /// What happened to the branch.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// The branch appeared.
        case created
        /// The branch points at another commit.
        case moved
        /// The branch is gone.
        case deleted
    }

    /// The branch's short name.
    public var branch: String
    /// Created, moved or deleted.
    public var kind: Kind
    /// The head before (nil when created).
    public var old: ObjectID?
    /// The head after (nil when deleted).
    public var new: ObjectID?
}

extension Repository {
    /// Every branch creation, move and deletion from now on, until the
    /// iterating task is cancelled.
    ///
    /// One event per branch per look: a branch that moved several commits
    /// between two looks gives one `moved` event from the old head to the new
    /// one (use ``Branch/changes(prefix:since:pollInterval:)`` for one update
    /// per commit). Events of one look come sorted by branch name. In-process
    /// writes wake the watch at once; other processes are polled every
    /// `pollInterval`.
    public func branchEvents(pollInterval: Duration = .milliseconds(100)) throws -> BranchEvents {
        BranchEvents(repository: self, start: try branchHeads(), pollInterval: pollInterval)
    }

    func branchHeads() throws -> [String: ObjectID] {
        var heads: [String: ObjectID] = [:]
        for (name, id) in try refs.list(prefix: "refs/heads/") {
            heads[String(name.dropFirst("refs/heads/".count))] = id
        }
        return heads
    }
}

/// The branch events of a repository as an `AsyncSequence` (see ``Repository/branchEvents(pollInterval:)``).
public struct BranchEvents: AsyncSequence, Sendable {
    /// The element: one branch event.
    public typealias Element = BranchEvent

    let repository: Repository
    let start: [String: ObjectID]
    let pollInterval: Duration

    /// An iterator from the sequence's start.
    public func makeAsyncIterator() -> Iterator {
        Iterator(events: self, last: start)
    }

    /// Returns events as branches move; nil once the task is cancelled.
    public struct Iterator: AsyncIteratorProtocol {
        let events: BranchEvents
        var last: [String: ObjectID]
        var pending: [BranchEvent] = []

        /// The next event, waiting for one; nil when the task is cancelled.
        public mutating func next() async throws -> BranchEvent? {
            let repository = events.repository
            while true {
                if !pending.isEmpty { return pending.removeFirst() }
                if Task.isCancelled { return nil }
                // Watching starts before the first read, so no change falls between.
                let timeout = repository.refChanges.fallbackInterval(events.pollInterval)
                let generation = repository.refChanges.generation
                let heads = try repository.branchHeads()
                if heads != last {
                    for name in Set(heads.keys).union(last.keys).sorted() {
                        switch (last[name], heads[name]) {
                        case (nil, let new?): pending.append(BranchEvent(branch: name, kind: .created, old: nil, new: new))
                        case (let old?, nil): pending.append(BranchEvent(branch: name, kind: .deleted, old: old, new: nil))
                        case (let old?, let new?) where old != new:
                            pending.append(BranchEvent(branch: name, kind: .moved, old: old, new: new))
                        default: break
                        }
                    }
                    last = heads
                    continue
                }
                await repository.refChanges.wait(after: generation, timeout: timeout)
            }
        }
    }
}
