extension Repository {
    /// The names of all branches, sorted.
    public func branches() throws -> [String] {
        try refs.list(prefix: "refs/heads/").map { String($0.name.dropFirst("refs/heads/".count)) }
    }

    /// Creates branch `name` pointing at `commit` (default: the current branch's head).
    ///
    /// Throws `alreadyExists` when the branch exists, `invalidRefName` for a bad name.
    @discardableResult
    public func createBranch(_ name: String, at commit: ObjectID? = nil) throws -> Branch {
        let branch = try self.branch(name)
        let start: ObjectID
        if let commit {
            start = try peelToCommit(commit)
        } else if let head = try currentBranch().head() {
            start = head
        } else {
            throw BanyanError(.refNotFound, "cannot create branch \(name): the current branch has no commit yet")
        }
        let log = ReflogEntry(old: .zero(hashAlgorithm), new: start, committer: defaultAuthor.signature(),
                              message: "branch: Created from \(start.hex)")
        do {
            try refs.compareAndSwap(branch.refName, expected: .absent, new: start, log: log)
        } catch let error as BanyanError where error.code == .staleRef {
            throw BanyanError(.alreadyExists, "branch \(name) already exists")
        }
        return branch
    }

    /// Deletes branch `name`. Refuses the branch `HEAD` points at.
    ///
    /// The branch's commits stay in the object store until garbage collection.
    public func deleteBranch(_ name: String) throws {
        let branch = try self.branch(name)
        if try refs.headTarget() == branch.refName {
            throw BanyanError(.invalidArgument, "cannot delete branch \(name): it is the default branch (HEAD)")
        }
        guard let head = try branch.head() else {
            throw BanyanError(.refNotFound, "branch \(name) does not exist")
        }
        try refs.delete(branch.refName, expected: .value(head))
    }
}
