import Banyan

/// What a partial replica keeps of its remote: every commit and tree (so
/// commit ids are those of the full store), the values under `prefixes`,
/// and nothing else until it is read (Git's partial clone with a promisor
/// remote).
///
/// Kept in the repository's configuration as Git keeps a partial clone,
/// plus Banyan's prefixes:
///
/// ```text
/// [core]
///     repositoryformatversion = 1
/// [extensions]
///     partialClone = origin
/// [remote "origin"]
///     promisor = true
///     partialclonefilter = blob:none
///     banyanPrefix = notes/
///     banyanPrefix = settings/
/// ```
public struct PartialReplica: Hashable, Sendable {
    /// What fetches leave out (`blob:none` by default).
    public var filter: ObjectFilter
    /// The keys whose values are fetched eagerly: directories (`notes/`)
    /// or single keys, as given; empty for none.
    public var prefixes: [String]

    /// A partial replica that keeps the values under `prefixes`.
    ///
    /// Throws `invalidKey` for a prefix that is not a valid key or directory.
    public init(prefixes: [String], filter: ObjectFilter = .blobNone) throws {
        for prefix in prefixes {
            guard try !Key(prefix: prefix).isRoot else {
                throw BanyanError(.invalidKey, "prefix \(prefix.debugDescription) names the whole store; clone without --prefix instead")
            }
        }
        self.prefixes = prefixes
        self.filter = filter
    }

    /// The partial replica settings of remote `name`, or nil when it is
    /// not a promisor remote (the repository is a full replica of it).
    ///
    /// Throws `invalidRepository` for a filter or prefix in the config that does not parse.
    public static func find(remote name: String, in repository: Repository) throws -> PartialReplica? {
        let config = try repository.loadConfig()
        guard try config.bool(forKey: "remote.\(name).promisor") == true else { return nil }
        do {
            let filter = try config.value(forKey: "remote.\(name).partialclonefilter").map(ObjectFilter.init(parsing:)) ?? .blobNone
            return try PartialReplica(prefixes: config.values(forKey: "remote.\(name).banyanprefix"), filter: filter)
        } catch let error as BanyanError {
            throw BanyanError(.invalidRepository, "remote \(name)'s partial replica settings: \(error.message)", cause: error)
        }
    }

    /// Records these settings for remote `name` and makes the repository a
    /// partial clone of it, as `git clone --filter` does.
    func record(remote name: String, in repository: Repository) throws {
        try repository.updateConfig { config in
            try config.set("1", forKey: "core.repositoryformatversion")
            try config.set(name, forKey: "extensions.partialClone")
            try config.set("true", forKey: "remote.\(name).promisor")
            try config.set(filter.description, forKey: "remote.\(name).partialclonefilter")
            config.removeAll(forKey: "remote.\(name).banyanPrefix")
            for prefix in prefixes { try config.add(prefix, forKey: "remote.\(name).banyanPrefix") }
        }
    }

    /// The values under the prefixes in the trees of `commits` that the
    /// repository lacks. Reads trees only (a partial replica has them all);
    /// a prefix a commit does not hold is passed over.
    func missingValues(at commits: [ObjectID], in repository: Repository) throws -> [ObjectID] {
        let keys = try prefixes.map { try Key(prefix: $0) }
        var trees = Set<ObjectID>()
        var missing = Set<ObjectID>()
        for commit in commits {
            guard let raw = try repository.objects.find(commit), raw.kind == .commit else { continue }
            let root = try repository.commit(commit).tree
            for key in keys {
                guard let entry = try Self.entry(at: key, under: root, in: repository) else { continue }
                if entry.mode.isDirectory {
                    try Self.blobs(under: entry.id, in: repository, trees: &trees) { id in
                        if try !repository.objects.contains(id) { missing.insert(id) }
                    }
                } else if entry.mode != .gitlink, try !repository.objects.contains(entry.id) {
                    missing.insert(entry.id)
                }
            }
        }
        return missing.sorted()
    }

    /// The entry at `key` under the tree `root`, or nil when there is none.
    private static func entry(at key: Key, under root: ObjectID, in repository: Repository) throws -> TreeEntry? {
        var tree = root
        var found: TreeEntry?
        for segment in key.utf8Segments {
            if let found { guard found.mode.isDirectory else { return nil }; tree = found.id }
            guard let entry = try repository.tree(tree).entry(named: segment) else { return nil }
            found = entry
        }
        return found
    }

    /// Calls `visit` with each blob under the tree `id`, each tree read once.
    private static func blobs(
        under id: ObjectID, in repository: Repository, trees: inout Set<ObjectID>, visit: (ObjectID) throws -> Void
    ) throws {
        var stack = [id]
        while let tree = stack.popLast() {
            guard trees.insert(tree).inserted else { continue }
            for entry in try repository.tree(tree).entries {
                if entry.mode.isDirectory { stack.append(entry.id) } else if entry.mode != .gitlink { try visit(entry.id) }
            }
        }
    }
}
