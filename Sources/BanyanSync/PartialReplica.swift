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

    /// What the repository lacks under the prefixes in the trees of
    /// `commits`: the values, and the trees it could not look into (a
    /// tree filter leaves them out; fetch them and ask again). A prefix a
    /// commit does not hold is passed over.
    func missing(at commits: [ObjectID], in repository: Repository) throws -> (values: [ObjectID], trees: [ObjectID]) {
        let keys = try prefixes.map { try Key(prefix: $0) }
        var walked = Set<ObjectID>()
        var values = Set<ObjectID>()
        var trees = Set<ObjectID>()
        func tree(_ id: ObjectID) throws -> Tree? {
            guard try id == repository.hashAlgorithm.emptyTreeID || repository.objects.contains(id) else {
                trees.insert(id)
                return nil
            }
            return try repository.tree(id)
        }
        for commit in commits {
            guard let raw = try repository.objects.find(commit), raw.kind == .commit else { continue }
            for key in keys {
                // Down to the prefix, then everything under it.
                var at: TreeEntry? = TreeEntry(name: "", mode: .directory, id: try repository.commit(commit).tree)
                for segment in key.utf8Segments {
                    guard let current = at, current.mode.isDirectory, let parent = try tree(current.id) else {
                        at = nil
                        break
                    }
                    at = parent.entry(named: segment)
                }
                guard let entry = at else { continue }
                guard entry.mode.isDirectory else {
                    if entry.mode != .gitlink, try !repository.objects.contains(entry.id) { values.insert(entry.id) }
                    continue
                }
                var stack = [entry.id]
                while let id = stack.popLast() {
                    guard walked.insert(id).inserted, let tree = try tree(id) else { continue }
                    for child in tree.entries {
                        if child.mode.isDirectory {
                            stack.append(child.id)
                        } else if child.mode != .gitlink, try !repository.objects.contains(child.id) {
                            values.insert(child.id)
                        }
                    }
                }
            }
        }
        return (values.sorted(), trees.sorted())
    }
}
