import Foundation

/// What one gc run did.
public struct GCReport: Sendable, Hashable {
    /// The new pack, `…/objects/pack/pack-<hex>` without extension; nil when there was nothing to pack.
    public var pack: String?
    /// Objects in the new pack.
    public var packedObjects = 0
    /// Entries of the new pack stored as deltas.
    public var deltaCount = 0
    /// Size of the new `.pack` file in bytes.
    public var packBytes = 0
    /// Old packs removed (their objects are in the new pack or were pruned).
    public var removedPacks = 0
    /// Loose object files removed (packed now, or pruned).
    public var removedLooseObjects = 0
    /// Unreachable objects older than the grace period that are gone.
    public var prunedObjects = 0
    /// Unreachable objects kept (packed) because they are within the grace period.
    public var keptRecentObjects = 0
    /// Refs in the new `packed-refs`.
    public var packedRefs = 0
    /// Old files kept because a writer started using an object in them while gc ran.
    public var retainedFiles = 0
    /// Commits given a reachability bitmap in the new pack's `.bitmap`; 0 when none was written.
    public var bitmappedCommits = 0
    /// Wall time of the run.
    public var duration: Duration = .zero
}

extension Repository {
    /// Git's default grace period for unreachable objects: two weeks.
    public static let defaultPruneAge: Duration = .seconds(14 * 86_400)

    /// Repacks the repository, like `git gc`: one new pack with deltas holds
    /// every reachable object, and the unreachable ones younger than
    /// `pruneOlderThan` (measured back from `now` against file modification
    /// times); old packs and loose objects go, and refs are packed.
    ///
    /// See ``gc(pruneBefore:)``. `pruneOlderThan: .zero` is `--prune=now`.
    @discardableResult
    public func gc(pruneOlderThan age: Duration = Repository.defaultPruneAge, now: Date = Date()) throws -> GCReport {
        let seconds = Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18
        return try gc(pruneBefore: now.addingTimeInterval(-seconds))
    }

    /// Repacks the repository, pruning unreachable objects whose file was
    /// last modified at or before `cutoff` (nil: prune nothing).
    ///
    /// Steps: seals the open append pack; lists the existing packs and loose
    /// objects (only these may be deleted); walks everything reachable from
    /// every ref, `HEAD` and every reflog entry, plus the unreachable objects
    /// younger than the cutoff and what they reach; writes one pack (deltas
    /// with a window of 10 and depth 50, zlib's default level, paths as name
    /// hints), verifies it by indexing it, and installs it with its `.idx`;
    /// packs refs (``FileSystemBackend``'s `packed-refs`, compare-and-swap
    /// safe); then walks again from the refs as they are now and from every
    /// object written since the listing, and keeps any listed file holding an
    /// object those reach that is not in the new pack; only then deletes the
    /// listed packs and loose files, and temporary files an hour old that
    /// crashed writers left. Objects reachable from a ref or reflog are never
    /// removed, and nothing other writers add during the run is.
    ///
    /// In a repository with a work-tree `index`, nothing is pruned (staged
    /// content is not reachable from refs). Git's `commit-graph` and
    /// `multi-pack-index` are removed when objects they describe go; Git
    /// rebuilds them. Reflogs are not expired: ``expireReflogs(now:)`` does that.
    ///
    /// Cost: reads every kept object into memory and builds the pack there
    /// (memory about twice the packed objects' size); the delta search tries
    /// each object against up to 10 others.
    ///
    /// An in-memory store has nothing to repack: its gc removes the
    /// unreachable objects stored at or before `cutoff`, found by the same walk.
    ///
    /// Throws `unsupported` for a store that is no ``MaintainableStore``,
    /// `refLocked` when another gc or repack runs for more than two minutes, `objectNotFound` when an object
    /// reachable from a ref is missing and `corruptObject` when one does not
    /// decode (in both cases before anything is deleted), `io` on a
    /// filesystem failure.
    @discardableResult
    public func gc(pruneBefore cutoff: Date?) throws -> GCReport {
        let store = try maintainableStore("gc")
        let clock = ContinuousClock()
        let start = clock.now
        var report = try store.gc(pruneBefore: cutoff)
        report.duration = clock.now - start
        return report
    }
}
