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
    /// first, like `git log`). Cost: reads each listed commit once (cached).
    public func log(from start: ObjectID, firstParent: Bool = false, limit: Int? = nil) throws -> [LogEntry] {
        let limit = limit ?? Int.max
        var result: [LogEntry] = []
        if firstParent {
            var next: ObjectID? = try peelToCommit(start)
            while let id = next, result.count < limit {
                let commit = try self.commit(id)
                result.append(LogEntry(id: id, commit: commit))
                next = commit.parents.first
            }
            return result
        }
        let first = try peelToCommit(start)
        var queue = [LogEntry(id: first, commit: try commit(first))]
        var seen: Set<ObjectID> = [first]
        while result.count < limit, let index = queue.indices.max(by: { Self.older(queue[$0], queue[$1]) }) {
            let entry = queue.remove(at: index)
            result.append(entry)
            for parent in entry.commit.parents where seen.insert(parent).inserted {
                queue.append(LogEntry(id: parent, commit: try commit(parent)))
            }
        }
        return result
    }

    /// Orders by committer time, then id, so the walk is deterministic.
    private static func older(_ a: LogEntry, _ b: LogEntry) -> Bool {
        (a.commit.committer.time, a.id) < (b.commit.committer.time, b.id)
    }
}
