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
    ///
    /// A move of many commits is kept as their ids, each diffed when its
    /// update is taken: an iterator whose consumer lags (a slow client of a
    /// change stream) holds ids, not every diff at once.
    public struct Iterator: AsyncIteratorProtocol {
        let changes: BranchChanges
        var last: ObjectID?
        var pending: [Move] = []
        var nextPending = 0

        /// The next update, waiting for one; nil when the task is cancelled.
        public mutating func next() async throws -> BranchUpdate? {
            let repository = changes.branch.repository
            while true {
                if nextPending < pending.count {
                    let move = pending[nextPending]
                    nextPending += 1
                    if let update = try changes.update(move) { return update }
                    continue
                }
                if Task.isCancelled { return nil }
                // Watching starts before the first read, so no change falls between.
                let timeout = repository.refChanges.fallbackInterval(changes.pollInterval)
                let generation = repository.refChanges.generation
                let head = try changes.branch.head()
                if head != last {
                    pending = try changes.moves(from: last, to: head)
                    nextPending = 0
                    last = head
                    continue
                }
                await repository.refChanges.wait(after: generation, timeout: timeout)
            }
        }
    }

    /// One step of a branch's move: a commit against its first parent, or the whole move.
    typealias Move = (old: ObjectID?, new: ObjectID?)

    /// The steps of a move of the branch from `old` to `new`, oldest first.
    func moves(from old: ObjectID?, to new: ObjectID?) throws -> [Move] {
        guard let old, let new else { return [(old, new)] }
        // New head back to the old one along first parents.
        var chain: [Move] = []
        var current = new
        while current != old {
            guard chain.count < Self.maxWalk, let parent = try branch.repository.commit(current).parents.first else {
                return [(old, new)]
            }
            chain.append((parent, current))
            current = parent
        }
        return chain.reversed()
    }

    /// The update of `move`, or nil when it changes nothing under the prefix.
    func update(_ move: Move) throws -> BranchUpdate? {
        let repository = branch.repository
        let changes = try repository.diff(repository.snapshotOrEmpty(move.old), repository.snapshotOrEmpty(move.new))
            .filter { $0.key.hasPrefix(prefix) }
        return changes.isEmpty ? nil : BranchUpdate(branch: branch.name, old: move.old, new: move.new, changes: changes)
    }
}

extension Repository {
    /// The snapshot of commit `id`, or the empty snapshot for nil.
    func snapshotOrEmpty(_ id: ObjectID?) throws -> Snapshot {
        guard let id else { return Snapshot(repository: self, commit: nil, root: hashAlgorithm.emptyTreeID) }
        return try snapshot(commit: id)
    }
}
