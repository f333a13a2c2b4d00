import Synchronization

/// Fetches objects a partial clone lacks from its promisor remote; returns
/// once they are stored, throws when they cannot be had (offline, say).
public typealias MissingObjectFetcher = @Sendable (_ ids: [ObjectID]) throws -> Void

/// A partial clone: a repository that lacks some objects its history
/// names and knows a remote that promises them, as Git's partial clone
/// keeps it (`extensions.partialClone` names the remote; packs it received
/// carry a `.promisor` file).
extension Repository {
    /// The promisor remote of a partial clone (`extensions.partialClone`),
    /// or nil for a complete repository or one that keeps no configuration.
    public func promisorRemote() throws -> String? {
        try loadConfig().value(forKey: "extensions.partialclone")
    }

    /// True for a partial clone (see `promisorRemote()`).
    public var isPartialClone: Bool {
        ((try? promisorRemote()) ?? nil) != nil
    }

    /// Sets what reading a missing object does: `fetcher` is called with
    /// its id, and the read tries again once it returns; nil (the default)
    /// makes such a read throw `objectNotFound`. The sync layer installs
    /// one that fetches from the promisor remote (BanyanSync's
    /// `Sync.enableLazyFetch`).
    ///
    /// The fetcher runs on the reading thread and blocks it; it is used by
    /// the reads of values, trees, commits and tags through the repository
    /// (`blob(_:)`, `tree(_:)`, `commit(_:)`, `tag(_:)`, snapshots and branches).
    public func setMissingObjectFetcher(_ fetcher: MissingObjectFetcher?) {
        missingObjects.fetcher.withLock { $0 = fetcher }
    }

    /// The object `id` of `kind`, fetched first from the promisor remote
    /// when it is missing and a fetcher is set.
    func object(_ id: ObjectID, kind: ObjectKind) throws -> RawObject {
        if let raw = try objects.find(id) {
            guard raw.kind == kind else {
                throw BanyanError(.corruptObject, "object \(id) is a \(raw.kind), expected a \(kind)")
            }
            return raw
        }
        guard let fetcher = missingObjects.fetcher.withLock({ $0 }) else { return try objects.get(id, kind: kind) }
        try fetcher([id])
        return try objects.get(id, kind: kind)
    }
}

/// The repository's `MissingObjectFetcher`, if any.
final class MissingObjectHook: Sendable {
    let fetcher = Mutex<MissingObjectFetcher?>(nil)
}
