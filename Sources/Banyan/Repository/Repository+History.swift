/// One commit of a log: its id and decoded contents.
public struct LogEntry: Hashable, Sendable {
    /// The commit's id.
    public var id: ObjectID
    /// The commit.
    public var commit: Commit
}

extension Repository {
    /// The commits reachable from `start`, newest first.
    ///
    /// With `firstParent`, follows only first parents (the branch's own line).
    /// Otherwise visits every ancestor once, in order of committer time (newest
    /// first, like `git log`). Cost: reads each listed commit once.
    public func log(from start: ObjectID, firstParent: Bool = false, limit: Int? = nil) throws -> [LogEntry] {
        var result: [LogEntry] = []
        try forEachLogEntry(from: start, firstParent: firstParent, limit: limit) { result.append($0) }
        return result
    }

    /// Calls `body` with the commits reachable from `start`, newest first, in
    /// the order ``log(from:firstParent:limit:)`` lists them, without holding
    /// them: a walk of a long history (`banyan log`) keeps only the commits
    /// waiting to be visited. Commits are read without filling the commit
    /// cache, which a walk that visits each commit once would only churn.
    public func forEachLogEntry(
        from start: ObjectID, firstParent: Bool = false, limit: Int? = nil, _ body: (LogEntry) throws -> Void
    ) throws {
        var remaining = limit ?? Int.max
        if firstParent {
            var next: ObjectID? = try peelToCommit(start)
            while let id = next, remaining > 0 {
                let commit = try self.commit(id, caching: false)
                try body(LogEntry(id: id, commit: commit))
                remaining -= 1
                next = commit.parents.first
            }
            return
        }
        let first = try peelToCommit(start)
        var queue = [LogEntry(id: first, commit: try commit(first, caching: false))]
        var seen: Set<ObjectID> = [first]
        while remaining > 0, let index = queue.indices.max(by: { Self.older(queue[$0], queue[$1]) }) {
            let entry = queue.remove(at: index)
            try body(entry)
            remaining -= 1
            for parent in entry.commit.parents where seen.insert(parent).inserted {
                queue.append(LogEntry(id: parent, commit: try commit(parent, caching: false)))
            }
        }
    }

    /// Orders by committer time, then id, so the walk is deterministic.
    private static func older(_ a: LogEntry, _ b: LogEntry) -> Bool {
        (a.commit.committer.time, a.id) < (b.commit.committer.time, b.id)
    }
}
