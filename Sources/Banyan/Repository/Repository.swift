import Foundation

/// A versioned key-value store: a Git repository seen as branches of
/// key-value snapshots.
///
/// A `Repository` is the front door of the library. Open one on a path (a
/// bare Git repository) or in memory, then read and write through
/// ``Branch`` handles or read any commit through a ``Snapshot``.
///
/// Thread-safety: a repository is `Sendable`; any number of threads and
/// tasks may use it at once. Branch updates are compare-and-swap on the ref,
/// so concurrent writers (threads or processes) never lose an update.
public final class Repository: Sendable {
    /// Where objects live.
    public let objects: any ObjectStore
    /// Where branches and other refs live.
    public let refs: any RefStore
    /// The filesystem path of the repository, or nil for an in-memory one.
    public let path: String?
    /// Who commits when a write names nobody.
    public let defaultAuthor: Identity

    let cache: ObjectCache
    /// Encoded trees for the write path (see `TreeEditor`).
    let treeBodies = TreeBodyCache()
    /// One commit at a time of this process onto each branch.
    let branchTurns = BranchTurnstile()
    /// Posted to after every ref update of the ref store (``RefChangeSource``); watches wait on it.
    public let refChanges: RefChangeNotifier
    /// What reading a missing object does in a partial clone (`setMissingObjectFetcher(_:)`).
    let missingObjects = MissingObjectHook()

    /// Creates a repository over any backend pair.
    public init(objects: any ObjectStore, refs: any RefStore, path: String? = nil,
                defaultAuthor: Identity = .default) {
        self.objects = objects
        self.refs = refs
        self.path = path
        self.defaultAuthor = defaultAuthor
        self.cache = ObjectCache()
        self.refChanges = (refs as? any RefChangeSource)?.refChanges ?? RefChangeNotifier()
    }

    /// The hash function of this repository's object ids.
    public var hashAlgorithm: HashAlgorithm { objects.hashAlgorithm }

    /// A new, empty in-memory repository. Throws `invalidRefName` for a bad initial branch.
    public static func inMemory(hashAlgorithm: HashAlgorithm = .sha1, initialBranch: String = "main") throws -> Repository {
        let backend = try MemoryBackend(hashAlgorithm: hashAlgorithm, initialBranch: initialBranch)
        return Repository(objects: backend, refs: backend)
    }

    /// Creates a new bare Git repository at `path` (the directory may exist but must not hold a repository).
    ///
    /// Throws `alreadyExists` when a repository is there, `invalidRefName` for a bad initial branch.
    /// `configuration` says how the store writes: with `durability: .commit`,
    /// every commit is on stable storage before it returns; `writeMode` picks
    /// an append pack (fast, sealed before every ref moves) or one loose file
    /// per object; `maintenance` `.background` (the default) keeps the store
    /// in shape while this process writes: geometric repacks and the rest run
    /// on a background queue when the store's thresholds make them due.
    public static func create(
        at path: String, hashAlgorithm: HashAlgorithm = .sha1, initialBranch: String = "main",
        configuration: FileSystemBackend.Configuration = .default
    ) throws -> Repository {
        _ = try RefName.branch(initialBranch)
        let backend = try FileSystemBackend.create(at: path, hashAlgorithm: hashAlgorithm, initialBranch: initialBranch,
                                                   configuration: configuration)
        return Repository(objects: backend, refs: backend, path: path)
    }

    /// Opens the Git repository at `path` (a bare repository, or a directory holding `.git`).
    ///
    /// `configuration` is as in ``create(at:hashAlgorithm:initialBranch:configuration:)``;
    /// its `durability` nil takes the repository's `banyan.durability` setting.
    /// Throws `invalidRepository` when `path` holds no repository and
    /// `unsupported` for a repository format Banyan cannot read safely.
    public static func open(at path: String, configuration: FileSystemBackend.Configuration = .default) throws -> Repository {
        var repoPath = path
        let dotGit = (path as NSString).appendingPathComponent(".git")
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dotGit, isDirectory: &isDir), isDir.boolValue {
            repoPath = dotGit
        }
        let backend = try FileSystemBackend.open(at: repoPath, configuration: configuration)
        return Repository(objects: backend, refs: backend, path: repoPath)
    }

    /// Makes every object written so far visible to other processes
    /// (`git` and Banyan): seals the open append pack of a filesystem store.
    /// Commits need no flush: every ref update seals what it names first.
    public func flush() throws {
        try objects.flush()
    }

    // MARK: Objects

    /// The tree `id`, decoded (cached). The empty tree always exists, as in Git.
    public func tree(_ id: ObjectID) throws -> Tree {
        try tree(id, caching: true)
    }

    /// The tree `id`, decoded; put in the cache on a miss only when `caching`
    /// (a reader that visits each tree once, like a merge, passes false).
    func tree(_ id: ObjectID, caching: Bool) throws -> Tree {
        if let tree = cache.tree(id) { return tree }
        if id == hashAlgorithm.emptyTreeID { return .empty }
        let body = try treeBodies.tree(id)?.body ?? object(id, kind: .tree).body
        let tree = try Tree(decoding: body, algorithm: hashAlgorithm)
        if caching { cache.insert(tree, for: id) }
        return tree
    }

    /// The tree `id` encoded, for editing (cached). Decoded once on a miss,
    /// so it is as strictly checked as ``tree(_:)``'s.
    func encodedTree(_ id: ObjectID) throws -> EncodedTree {
        if let tree = treeBodies.tree(id) { return tree }
        // Kept encoded only: the decoded copy would sit in the other cache unused.
        let tree = try EncodedTree(body: try self.tree(id, caching: false).encoded(), algorithm: hashAlgorithm)
        // A rewritten body is not `id`'s: readers of the cache take it for the stored one.
        if !tree.isRewritten { treeBodies.insert(tree, for: id) }
        return tree
    }

    /// The commit `id`, decoded (cached).
    public func commit(_ id: ObjectID) throws -> Commit {
        try commit(id, caching: true)
    }

    /// The commit `id`, decoded; put in the cache on a miss only when
    /// `caching` (a walk that visits each commit once, like a log, passes false).
    func commit(_ id: ObjectID, caching: Bool) throws -> Commit {
        if let commit = cache.commit(id) { return commit }
        let raw = try object(id, kind: .commit)
        let commit = try Commit(decoding: raw.body, algorithm: hashAlgorithm)
        if caching { cache.insert(commit, for: id) }
        return commit
    }

    /// The annotated tag `id`, decoded.
    public func tag(_ id: ObjectID) throws -> Tag {
        try Tag(decoding: try object(id, kind: .tag).body, algorithm: hashAlgorithm)
    }

    /// The bytes of blob `id`.
    public func blob(_ id: ObjectID) throws -> [UInt8] {
        try object(id, kind: .blob).body
    }

    /// Follows annotated tags from `id` until a non-tag object; returns its id and kind.
    public func peel(_ id: ObjectID) throws -> (id: ObjectID, kind: ObjectKind) {
        var current = id
        for _ in 0..<16 {
            let raw = try objects.get(current)
            guard raw.kind == .tag else { return (current, raw.kind) }
            current = try Tag(decoding: raw.body, algorithm: hashAlgorithm).object
        }
        throw BanyanError(.corruptObject, "tag \(id) nests more than 16 tags deep")
    }

    /// The commit `id` names, peeling annotated tags; throws when it is not a commit.
    public func peelToCommit(_ id: ObjectID) throws -> ObjectID {
        let peeled = try peel(id)
        guard peeled.kind == .commit else {
            throw BanyanError(.invalidRevision, "\(id) is a \(peeled.kind), not a commit")
        }
        return peeled.id
    }

    // MARK: Views

    /// A branch handle. The branch need not exist yet: its first write creates it.
    ///
    /// Throws `invalidRefName` when `name` is not a valid branch name.
    public func branch(_ name: String) throws -> Branch {
        try Branch(repository: self, name: name)
    }

    /// The branch `HEAD` points at (the default branch), e.g. `main`.
    public func currentBranch() throws -> Branch {
        guard let target = try refs.headTarget(), target.hasPrefix("refs/heads/") else {
            throw BanyanError(.refNotFound, "HEAD does not point at a branch")
        }
        return try branch(String(target.dropFirst("refs/heads/".count)))
    }

    /// A read-only view of the tree of commit `commit`.
    public func snapshot(commit: ObjectID) throws -> Snapshot {
        let id = try peelToCommit(commit)
        return Snapshot(repository: self, commit: id, root: try self.commit(id).tree)
    }

    /// A read-only view of the revision `revision` (see ``resolve(_:)``).
    public func snapshot(_ revision: String) throws -> Snapshot {
        let id = try resolve(revision)
        let peeled = try peel(id)
        switch peeled.kind {
        case .commit: return try snapshot(commit: peeled.id)
        case .tree: return Snapshot(repository: self, commit: nil, root: peeled.id)
        default: throw BanyanError(.invalidRevision, "'\(revision)' names a \(peeled.kind), not a commit or tree")
        }
    }
}

/// A name and email used for commits, with the time taken when the commit is made.
public struct Identity: Hashable, Sendable {
    /// The person's name.
    public var name: String
    /// The person's email.
    public var email: String

    /// Creates an identity.
    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }

    /// `Banyan <banyan@localhost>`, used when nothing else is configured.
    public static let `default` = Identity(name: "Banyan", email: "banyan@localhost")

    /// Parses `"Name <email>"`; throws `invalidArgument` otherwise.
    public init(parsing text: String) throws {
        guard let open = text.firstIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close,
              text[text.index(after: close)...].allSatisfy(\.isWhitespace)
        else { throw BanyanError(.invalidArgument, "'\(text)' is not of the form \"Name <email>\"") }
        let name = text[..<open].trimmingCharacters(in: .whitespaces)
        let email = String(text[text.index(after: open)..<close])
        try Signature.validate(name: name, email: email)
        self.init(name: name, email: email)
    }

    /// A signature for this identity at `date`, in the local time zone.
    public func signature(at date: Date = Date(), timeZone: TimeZone = .current) -> Signature {
        Signature(name: name, email: email, time: Int64(date.timeIntervalSince1970.rounded(.down)),
                  timeZoneMinutes: timeZone.secondsFromGMT(for: date) / 60)
    }
}
