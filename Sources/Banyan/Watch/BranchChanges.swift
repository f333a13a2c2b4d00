import Foundation

/// One move of a branch seen by a watch: the commits before and after, and
/// what changed between them under the watched prefix.
public struct BranchUpdate: Hashable, Sendable {
    /// The branch's short name.
    public var branch: String
    /// The head before (nil when the branch did not exist).
    public var old: ObjectID?
    /// The head after (nil when the branch was deleted).
    public var new: ObjectID?
    /// The keys that changed from `old` to `new` under the watched prefix, sorted.
    public var changes: [KeyChange]

    /// An update.
    public init(branch: String, old: ObjectID?, new: ObjectID?, changes: [KeyChange]) {
        self.branch = branch
        self.old = old
        self.new = new
        self.changes = changes
    }
}

extension Branch {
    /// The changes of this branch under `prefix`, as they happen, until the
    /// task iterating them is cancelled.
    ///
    /// The watch starts at `since` (default: the head now), so nothing that
    /// lands after this call is missed. When the branch moved forward by
    /// several commits between two looks, there is **one update per commit**,
    /// oldest first, found by walking first-parent history from the new head
    /// back to the old one; each update's diff is that commit against its
    /// first parent (a merge commit carries everything it brought in). When
    /// the old head is not a first-parent ancestor (a reset, a force move),
    /// when the branch is created or deleted, or when the walk passes
    /// `maxWalk` commits, one coalesced update covers the whole move. Commits
    /// that change nothing under `prefix` produce no update.
    ///
    /// Writes made through this process's ``Repository`` wake the watch at
    /// once; writes by other processes are seen by polling the ref every
    /// `pollInterval`. Throws `invalidRevision` when `since` is not a commit.
    public func changes(prefix: Key = .root, since: ObjectID? = nil,
                        pollInterval: Duration = .milliseconds(100)) throws -> BranchChanges {
        let start = try since.map { try repository.peelToCommit($0) } ?? head()
        return BranchChanges(branch: self, prefix: prefix, start: start, pollInterval: pollInterval)
    }
}

/// The updates of one branch as an `AsyncSequence` (see ``Branch/changes(prefix:since:pollInterval:)``).
///
/// Each iterator keeps its own position; iterating twice watches twice from the same start.
public struct BranchChanges: AsyncSequence, Sendable {
    /// The element: one branch move.
    public typealias Element = BranchUpdate

    let branch: Branch
    let prefix: Key
    let start: ObjectID?
    let pollInterval: Duration

    /// Walks longer than this many commits become one coalesced update.
    static let maxWalk = 10_000

    /// An iterator from the sequence's start.
    public func makeAsyncIterator() -> Iterator {
        Iterator(changes: self, last: start)
    }

    /// Returns updates in commit order; nil once the task is cancelled.
    public struct Iterator: AsyncIteratorProtocol {
        let changes: BranchChanges
        var last: ObjectID?
        var pending: [BranchUpdate] = []
        var nextPending = 0

        /// The next update, waiting for one; nil when the task is cancelled.
        public mutating func next() async throws -> BranchUpdate? {
            let repository = changes.branch.repository
            while true {
                if nextPending < pending.count {
                    defer { nextPending += 1 }
                    return pending[nextPending]
                }
                if Task.isCancelled { return nil }
                // Watching starts before the first read, so no change falls between.
                let timeout = repository.refChanges.fallbackInterval(changes.pollInterval)
                let generation = repository.refChanges.generation
                let head = try changes.branch.head()
                if head != last {
                    pending = try changes.updates(from: last, to: head)
                    nextPending = 0
                    last = head
                    continue
                }
                await repository.refChanges.wait(after: generation, timeout: timeout)
            }
        }
    }

    /// The updates for a move of the branch from `old` to `new`.
    func updates(from old: ObjectID?, to new: ObjectID?) throws -> [BranchUpdate] {
        let repository = branch.repository
        var updates: [BranchUpdate] = []
        func add(_ from: ObjectID?, _ to: ObjectID?) throws {
            let changes = try repository.diff(repository.snapshotOrEmpty(from), repository.snapshotOrEmpty(to))
                .filter { $0.key.hasPrefix(prefix) }
            if !changes.isEmpty {
                updates.append(BranchUpdate(branch: branch.name, old: from, new: to, changes: changes))
            }
        }
        guard let old, let new else {
            try add(old, new)
            return updates
        }
        // New head back to the old one along first parents.
        var chain: [(commit: ObjectID, parent: ObjectID)] = []
        var current = new
        while current != old {
            guard chain.count < Self.maxWalk, let parent = try repository.commit(current).parents.first else {
                try add(old, new)
                return updates
            }
            chain.append((current, parent))
            current = parent
        }
        for (commit, parent) in chain.reversed() {
            try add(parent, commit)
        }
        return updates
    }
}

extension Repository {
    /// The snapshot of commit `id`, or the empty snapshot for nil.
    func snapshotOrEmpty(_ id: ObjectID?) throws -> Snapshot {
        guard let id else { return Snapshot(repository: self, commit: nil, root: hashAlgorithm.emptyTreeID) }
        return try snapshot(commit: id)
    }
}
