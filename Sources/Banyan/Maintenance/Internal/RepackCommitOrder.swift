import BanyanCore

/// The order a geometric repack lists its commits in: newest first, as
/// `rev-list` lists a history, so the versions of a tree meet in the delta
/// search's window next to the versions just before and after them.
///
/// Committer times alone do not give that order: a service writes hundreds
/// of commits in one second, and ties broken by id (the order a pack index
/// lists them) scatter each second's versions, so a tree's neighbours in
/// the window were hundreds of edits apart and its deltas ten times
/// larger. Among equal times, a commit comes before its parents: ordered
/// by generation (one more than its highest parent among `commits`), as
/// Git's commit-graph numbers them.
enum RepackCommitOrder {
    /// One commit: its parents, its root tree, its committer time, and where it is among the sources.
    struct Commit {
        var id: ObjectID
        var parents: [ObjectID]
        var tree: ObjectID
        var time: Int64
        var at: Int
    }

    /// `commits` newest first: by committer time, then generation, then position.
    ///
    /// Cost: O(n log n) for n commits, with no recursion (a history may be
    /// a chain of any length).
    static func newestFirst(_ commits: [Commit]) -> [Commit] {
        var index: [ObjectID: Int] = [:]
        for (i, commit) in commits.enumerated() { index[commit.id] = i }
        var generation = [Int](repeating: 0, count: commits.count)
        var stack: [Int] = []
        var onStack = [Bool](repeating: false, count: commits.count)
        for start in commits.indices where generation[start] == 0 {
            stack.append(start)
            onStack[start] = true
            while let top = stack.last {
                var highest = 0
                var pending = false
                for parent in commits[top].parents {
                    guard let p = index[parent] else { continue }
                    if generation[p] == 0 {
                        // A parent not yet numbered goes first; a loop (not
                        // a history) is cut where it closes.
                        if !onStack[p] { stack.append(p); onStack[p] = true; pending = true }
                    } else {
                        highest = max(highest, generation[p])
                    }
                }
                if pending { continue }
                generation[top] = highest + 1
                stack.removeLast()
                onStack[top] = false
            }
        }
        return commits.indices.sorted { lhs, rhs in
            let (a, b) = (commits[lhs], commits[rhs])
            if a.time != b.time { return a.time > b.time }
            if generation[lhs] != generation[rhs] { return generation[lhs] > generation[rhs] }
            return a.at < b.at
        }.map { commits[$0] }
    }
}
