import Foundation

extension Branch {
    /// Makes several commits on the branch, one after another, and moves the
    /// branch once, to the last of them.
    ///
    /// Each ``CommitBatch/commit(message:author:committer:_:)`` inside `body`
    /// is a whole commit on top of the previous one, so the branch's history
    /// ends up exactly as if each had been its own ``transaction(message:author:committer:maxAttempts:_:)``;
    /// but the branch moves (and its reflog gains one entry) only when `body`
    /// returns, which makes importing or replaying many commits several times
    /// faster. Other readers see either none of the batch or all of it.
    ///
    /// When another writer moved the branch while `body` ran, `body` runs
    /// again on the new head, as a transaction's does. When `body` throws,
    /// the branch does not move (the objects written so far are garbage that
    /// `gc` removes). Returns the branch's head afterwards.
    ///
    /// ```swift
    /// try branch.batch { batch in
    ///     for (n, line) in ["a", "b", "c"].enumerated() {
    ///         try batch.commit(message: "line \(n)") { $0.set("lines/\(n)", Data(line.utf8)) }
    ///     }
    /// }
    /// ```
    @discardableResult
    public func batch(maxAttempts: Int = 1_000, _ body: (inout CommitBatch) throws -> Void) throws -> ObjectID? {
        for _ in 0..<max(1, maxAttempts) {
            let head = try head()
            var batch = CommitBatch(branch: self, base: try snapshotOrEmpty(head))
            try body(&batch)
            guard let last = batch.head, batch.count > 0 else { return head }
            let message = "commit (batch of \(batch.count)): " + batch.lastSummary
            let log = ReflogEntry(old: head ?? .zero(repository.hashAlgorithm), new: last,
                                  committer: batch.lastCommitter ?? repository.defaultAuthor.signature(),
                                  message: message)
            if try move(from: head, to: last, log: log) { return last }
        }
        throw BanyanError(.staleRef, "branch \(name) kept moving; gave up after \(maxAttempts) attempts")
    }
}

/// The commits of one ``Branch/batch(maxAttempts:_:)``, made one on top of
/// another; the branch moves to the last of them when the batch ends.
public struct CommitBatch {
    /// The branch the batch commits to.
    public let branch: Branch
    /// The state the next commit builds on: the branch's when the batch
    /// began, then that of each commit the batch made.
    public private(set) var snapshot: Snapshot
    /// The number of commits made so far.
    public private(set) var count = 0
    var lastSummary = ""
    var lastCommitter: Signature?

    init(branch: Branch, base: Snapshot) {
        self.branch = branch
        self.snapshot = base
    }

    /// The last commit of the batch so far (the branch's head when the batch
    /// began, before its first commit); nil on a branch with no commit yet.
    public var head: ObjectID? { snapshot.commit }

    /// Runs `body` on the batch's current state and makes its changes one
    /// commit on top of it. Returns the new commit, or the previous one when
    /// `body` changed nothing (then no commit is made).
    @discardableResult
    public mutating func commit(
        message: String, author: Signature? = nil, committer: Signature? = nil,
        _ body: (inout Transaction) throws -> Void
    ) throws -> ObjectID? {
        let repository = branch.repository
        let author = author ?? repository.defaultAuthor.signature()
        let committer = committer ?? author
        var transaction = Transaction(base: snapshot)
        try body(&transaction)
        guard let written = try branch.writeCommit(transaction, onto: head, message: message,
                                                   author: author, committer: committer)
        else { return head }
        snapshot = Snapshot(repository: repository, commit: written.id, root: written.root)
        count += 1
        lastSummary = Branch.summary(of: message)
        lastCommitter = committer
        return written.id
    }
}
