import Foundation

/// A handle on one branch: read its latest state, write keys (each write a
/// commit), read its history.
///
/// A handle is a value holding only the branch name; every call reads the
/// branch's current head, so two handles on one branch see each other's
/// writes. Writes are compare-and-swap on `refs/heads/<name>`: when another
/// writer moved the branch in between, the change is re-applied on the new
/// head (see ``transaction(message:author:committer:maxAttempts:_:)``), so no update is lost.
public struct Branch: Sendable {
    /// The repository this branch lives in.
    public let repository: Repository
    /// The short name, e.g. `main`.
    public let name: String
    /// The full ref name, e.g. `refs/heads/main`.
    public let refName: String

    init(repository: Repository, name: String) throws {
        self.repository = repository
        self.name = name
        self.refName = try RefName.branch(name)
    }

    // MARK: Reading

    /// The commit the branch points at, or nil when it has no commit yet.
    public func head() throws -> ObjectID? {
        try repository.refs.resolve(refName)
    }

    /// True when the branch has at least one commit.
    public func exists() throws -> Bool {
        try head() != nil
    }

    /// A read-only view of the branch's current state (empty when it has no commit).
    public func snapshot() throws -> Snapshot {
        try snapshotOrEmpty(try head())
    }

    /// The value at `key`, or nil when absent.
    public func find(_ key: Key) throws -> Data? { try snapshot().find(key) }

    /// The value at `key`; throws `keyNotFound` when absent.
    public func get(_ key: Key) throws -> Data { try snapshot().get(key) }

    /// The value at `key` decoded from JSON, or nil when absent.
    public func find<T: Decodable>(_ key: Key, as type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T? {
        try snapshot().find(key, as: type, decoder: decoder)
    }

    /// The value at `key` decoded from JSON; throws `keyNotFound` when absent.
    public func get<T: Decodable>(_ key: Key, as type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try snapshot().get(key, as: type, decoder: decoder)
    }

    /// True when `key` holds a value.
    public func exists(_ key: Key) throws -> Bool { try snapshot().exists(key) }

    /// The children of directory `prefix`.
    public func list(_ prefix: Key = .root) throws -> [ListEntry] { try snapshot().list(prefix) }

    /// Every value under `prefix`, recursively.
    public func walk(_ prefix: Key = .root) throws -> [(key: Key, id: ObjectID)] { try snapshot().walk(prefix) }

    // MARK: Writing

    /// Sets `key` to `value` in a new commit and returns the branch's new head.
    ///
    /// Setting a key to the value it already has makes no commit and returns
    /// the current head. Throws `notADirectory` when a key on the path holds a value.
    @discardableResult
    public func set(
        _ key: Key, _ value: Data, message: String? = nil,
        author: Signature? = nil, committer: Signature? = nil
    ) throws -> ObjectID {
        let head = try transaction(message: message ?? "set \(key)", author: author, committer: committer) {
            $0.set(key, value)
        }
        guard let head else { throw BanyanError(.io, "branch \(name) has no head after writing '\(key)'") }
        return head
    }

    /// Sets `key` to `value` encoded as JSON (sorted keys, so equal values give equal ids).
    @discardableResult
    public func set<T: Encodable>(
        _ key: Key, encoding value: T, message: String? = nil,
        author: Signature? = nil, committer: Signature? = nil
    ) throws -> ObjectID {
        try set(key, try Transaction.encode(value, at: key), message: message, author: author, committer: committer)
    }

    /// Removes the value or whole directory at `key` in a new commit.
    ///
    /// Returns the new head; when nothing was there, no commit is made and
    /// the current head (nil for a branch with no commit) is returned.
    @discardableResult
    public func remove(
        _ key: Key, message: String? = nil, author: Signature? = nil, committer: Signature? = nil
    ) throws -> ObjectID? {
        try transaction(message: message ?? "remove \(key)", author: author, committer: committer) {
            $0.remove(key)
        }
    }

    /// Runs `body` against the branch's head and commits everything it
    /// set and removed as one atomic commit.
    ///
    /// When another writer moves the branch before the commit lands, `body`
    /// runs again against the new head, so reads inside `body` (a counter's
    /// old value, say) are always those of the commit's parent. Threads of
    /// this process committing to the same branch take turns (a turn is
    /// waited for at most 5 s), so they rarely race at all. Returns the
    /// new head, or the unchanged head when `body` changed nothing.
    @discardableResult
    public func transaction(
        message: String, author: Signature? = nil, committer: Signature? = nil,
        maxAttempts: Int = 1_000,
        _ body: (inout Transaction) throws -> Void
    ) throws -> ObjectID? {
        let author = author ?? repository.defaultAuthor.signature()
        let committer = committer ?? author
        for _ in 0..<max(1, maxAttempts) {
            let turn = repository.branchTurns.enter(refName, patience: 5)
            defer { if turn { repository.branchTurns.leave(refName) } }
            let head = try head()
            var transaction = Transaction(base: try snapshotOrEmpty(head))
            try body(&transaction)
            guard let result = try commit(transaction, onto: head, message: message, author: author, committer: committer)
            else { return head }
            if case .committed(let id) = result { return id }
        }
        throw BanyanError(.staleRef, "branch \(name) kept moving; gave up after \(maxAttempts) attempts")
    }

    /// Moves the branch to `commit` (any commit, even an unrelated one); the
    /// old head stays in the reflog. Returns the previous head.
    @discardableResult
    public func reset(to commit: ObjectID, message: String? = nil) throws -> ObjectID? {
        let target = try repository.peelToCommit(commit)
        let old = try head()
        let who = repository.defaultAuthor.signature()
        let log = ReflogEntry(old: old ?? .zero(repository.hashAlgorithm), new: target, committer: who,
                              message: message ?? "reset: moving to \(target.hex)")
        try repository.refs.compareAndSwap(refName, expected: old.map(RefExpectation.value) ?? .absent, new: target, log: log)
        return old
    }

    // MARK: History

    /// The branch's commits, newest first (see ``Repository/log(from:firstParent:limit:)``).
    public func log(firstParent: Bool = false, limit: Int? = nil) throws -> [LogEntry] {
        guard let head = try head() else { return [] }
        return try repository.log(from: head, firstParent: firstParent, limit: limit)
    }

    /// The reflog of this branch, oldest first.
    public func reflog() throws -> [ReflogEntry] {
        try repository.refs.reflog(refName)
    }

    // MARK: Internals

    private enum CommitResult { case committed(ObjectID), raced }

    func snapshotOrEmpty(_ head: ObjectID?) throws -> Snapshot {
        guard let head else {
            return Snapshot(repository: repository, commit: nil, root: repository.hashAlgorithm.emptyTreeID)
        }
        return try repository.snapshot(commit: head)
    }

    /// Writes the transaction's objects and moves the branch; nil when there is nothing to commit.
    private func commit(
        _ transaction: Transaction, onto head: ObjectID?, message: String,
        author: Signature, committer: Signature
    ) throws -> CommitResult? {
        guard let written = try writeCommit(transaction, onto: head, message: message, author: author, committer: committer)
        else { return nil }
        let log = ReflogEntry(old: head ?? .zero(repository.hashAlgorithm), new: written.id, committer: committer,
                              message: (head == nil ? "commit (initial): " : "commit: ") + Self.summary(of: message))
        return try move(from: head, to: written.id, log: log) ? .committed(written.id) : .raced
    }

    /// Writes the commit of `transaction` on `head` and every new object
    /// under it, without moving the branch. Returns the commit and its root
    /// tree, or nil when the transaction changes nothing.
    func writeCommit(
        _ transaction: Transaction, onto head: ObjectID?, message: String,
        author: Signature, committer: Signature
    ) throws -> (id: ObjectID, root: ObjectID)? {
        var editor = TreeEditor(repository: repository)
        for (key, change) in transaction.changes {
            try editor.record(key, change)
        }
        let baseRoot = transaction.base.root
        let newRoot = try editor.apply(to: baseRoot)
        if newRoot == baseRoot && (head != nil || editor.isEmpty) { return nil }
        try Signature.validate(name: author.name, email: author.email)
        try Signature.validate(name: committer.name, email: committer.email)
        let commit = Commit(tree: newRoot, parents: head.map { [$0] } ?? [], author: author,
                            committer: committer, message: Self.normalized(message))
        var batch = editor.batch
        if newRoot == baseRoot && newRoot == repository.hashAlgorithm.emptyTreeID {
            // The first commit of a branch whose transaction only removed keys
            // points at the empty tree, which the editor never wrote.
            batch.add(Tree.empty.rawObject)
        }
        let id = batch.add(commit.rawObject)
        try repository.objects.write(batch)
        repository.cache.insert(commit, for: id)
        return (id, newRoot)
    }

    /// Moves the branch from `head` to `new` with `log` in its reflog; false
    /// when another writer moved it first.
    func move(from head: ObjectID?, to new: ObjectID, log: ReflogEntry) throws -> Bool {
        do {
            try repository.refs.compareAndSwap(refName, expected: head.map(RefExpectation.value) ?? .absent,
                                               new: new, log: log)
            return true
        } catch let error as BanyanError where error.code == .staleRef {
            return false
        }
    }

    /// The first line of a commit message, as reflogs show it.
    static func summary(of message: String) -> String {
        message.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
    }

    /// Git messages end with one newline.
    private static func normalized(_ message: String) -> String {
        var text = message
        while text.hasSuffix("\n") { text.removeLast() }
        return text + "\n"
    }
}
