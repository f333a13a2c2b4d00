/// The objects one merge reads and makes.
///
/// New blobs and trees stay here until the merge is known to succeed, then
/// go to the store in one `putBatch`; a merge that ends in conflicts, or a
/// dry run, stores nothing. Virtual merge-base commits live only here (no
/// branch ever points at them), and reads look here first, so recursive
/// merges can use the trees and commits made before them.
///
/// Not thread-safe: one merge, one thread.
final class MergeObjects {
    let repository: Repository
    private var pending: ObjectBatch
    private var trees: [ObjectID: Tree] = [:]
    private var encodedTrees: [ObjectID: EncodedTree] = [:]
    private var virtualCommits: [ObjectID: Commit] = [:]

    init(repository: Repository) {
        self.repository = repository
        pending = ObjectBatch(algorithm: repository.hashAlgorithm)
    }

    var hashAlgorithm: HashAlgorithm { repository.hashAlgorithm }

    /// The tree `id`, staged or stored. A merge reads most trees once, so
    /// those it decodes are not put in the repository's cache.
    func tree(_ id: ObjectID) throws -> Tree {
        if let tree = trees[id] { return tree }
        if let tree = encodedTrees[id] { return try Tree(decoding: tree.body, algorithm: hashAlgorithm) }
        return try repository.tree(id, caching: false)
    }

    /// The tree `id` in its encoding, checked as strictly as `tree(_:)`
    /// decodes (by `FsckRules.checkTree`, which allocates nothing per
    /// entry); nil for a tree staged decoded. `base`, a tree `id` was made
    /// from that passed this check, lets the check pass over what they share.
    func encodedTree(_ id: ObjectID, base: EncodedTree? = nil) throws -> EncodedTree? {
        if let tree = encodedTrees[id] { return tree }
        guard trees[id] == nil else { return nil }
        if let tree = repository.treeBodies.tree(id) { return tree }
        if id == hashAlgorithm.emptyTreeID { return .empty(hashAlgorithm) }
        let body = try repository.objects.get(id, kind: .tree).body
        try body.withUnsafeBytes { bytes in
            if let base {
                try base.body.withUnsafeBytes { try FsckRules.checkTree(bytes, id: id, algorithm: hashAlgorithm, base: $0) { _ in } }
            } else {
                try FsckRules.checkTree(bytes, id: id, algorithm: hashAlgorithm) { _ in }
            }
        }
        return try EncodedTree(body: body, algorithm: hashAlgorithm)
    }

    func blob(_ id: ObjectID) throws -> [UInt8] {
        if let object = pending.object(id) { return object.body }
        return try repository.blob(id)
    }

    func commit(_ id: ObjectID) throws -> Commit {
        if let commit = virtualCommits[id] { return commit }
        return try repository.commit(id)
    }

    /// Stages `tree` and returns its id.
    func store(_ tree: Tree) -> ObjectID {
        let id = stage(tree.rawObject)
        trees[id] = tree
        return id
    }

    /// Stages the encoded tree `tree` and returns its id.
    func store(_ tree: EncodedTree) -> ObjectID {
        let id = stage(RawObject(kind: .tree, body: tree.body))
        encodedTrees[id] = tree
        return id
    }

    /// Stages a blob holding `bytes` and returns its id.
    func storeBlob(_ bytes: [UInt8]) -> ObjectID {
        stage(.blob(bytes))
    }

    /// Keeps `commit` readable for this merge only and returns its id.
    func storeVirtual(_ commit: Commit) -> ObjectID {
        let id = commit.rawObject.id(hashAlgorithm)
        virtualCommits[id] = commit
        return id
    }

    /// Writes every staged blob and tree, plus `extra`, in one batch.
    func write(adding extra: [RawObject] = []) throws {
        var batch = pending
        for object in extra { batch.add(object) }
        try repository.objects.write(batch)
        for (id, tree) in trees { repository.cache.insert(tree, for: id) }
        for (id, tree) in encodedTrees { repository.treeBodies.insert(tree, for: id) }
    }

    private func stage(_ object: RawObject) -> ObjectID {
        pending.add(object)
    }
}
