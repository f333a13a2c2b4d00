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
    /// Cost: O(n log n) for n commits (`CommitGenerations` numbers them).
    static func newestFirst(_ commits: [Commit]) -> [Commit] {
        var index: [ObjectID: Int] = [:]
        for (i, commit) in commits.enumerated() { index[commit.id] = i }
        let generation = CommitGenerations.number(parents: commits.map { $0.parents.compactMap { index[$0] } })
        return commits.indices.sorted { lhs, rhs in
            let (a, b) = (commits[lhs], commits[rhs])
            if a.time != b.time { return a.time > b.time }
            if generation[lhs] != generation[rhs] { return generation[lhs] > generation[rhs] }
            return a.at < b.at
        }.map { commits[$0] }
    }
}
