import Foundation

/// A backend whose objects and reflogs are records it lists and removes one
/// by one (in memory, rows of a database), with no files to repack: its
/// maintenance is pruning unreachable objects and expiring reflog entries,
/// the same for every such backend, so written once here.
///
/// `MemoryBackend` and the PostgreSQL backend forward their
/// ``MaintainableStore`` methods to the `record…` ones.
package protocol RecordMaintainedStore: ObjectStore, RefStore, ConfigStore {
    /// Every object with the time it was first stored (what gc's grace period measures).
    func storedObjectDates() throws -> [ObjectID: Date]

    /// Removes the objects in `ids`; returns how many were there.
    func removeObjects(_ ids: [ObjectID]) throws -> Int

    /// The names of the refs that have a reflog.
    func refsWithReflogs() throws -> [String]

    /// Replaces the entries `old` at the start of the reflog of `ref` with
    /// `kept`, leaving the entries appended since; false (and nothing
    /// changed) when the log no longer starts with `old`.
    func replaceReflogPrefix(_ ref: String, old: [ReflogEntry], with kept: [ReflogEntry]) throws -> Bool

    /// The total size of the stored object bodies, in bytes.
    func storedBodyBytes() throws -> UInt64
}

extension RecordMaintainedStore {
    /// Runs `tasks` in order: `gc` expires reflogs then prunes, `prune` prunes,
    /// `reflog-expire` expires, each by the configuration's `gc.pruneExpire`
    /// and `gc.reflogExpire*`; the packing tasks have nothing to do.
    package func recordMaintenance(_ tasks: [MaintenanceTask]) throws -> MaintenanceReport {
        var report = MaintenanceReport()
        let settings = try MaintenanceSettings(config: try loadConfig())
        for task in tasks {
            switch task {
            case .gc:
                report.expiredReflogEntries += try recordExpireReflogs(now: Date()).removed
                report.gc = try recordGC(pruneBefore: try settings.pruneCutoff(), now: Date())
            case .prune:
                report.prunedObjects = try recordGC(pruneBefore: try settings.pruneCutoff(), now: Date()).prunedObjects
            case .reflogExpire:
                report.expiredReflogEntries += try recordExpireReflogs(now: Date()).removed
            case .geometricRepack, .packRefs, .midx:
                break
            }
            report.tasks.append(task)
        }
        return report
    }

    /// Removes the objects that no ref, `HEAD` or reflog entry reaches and
    /// that were stored at or before `cutoff` (nil: none), and not within
    /// the hour before `now` whatever the cutoff, as the filesystem backend's
    /// gc: a transaction stores its objects before its ref moves, so a write
    /// in progress may name them any moment.
    ///
    /// Throws `objectNotFound` when an object a ref reaches is missing,
    /// before anything is removed.
    package func recordGC(pruneBefore cutoff: Date?, now: Date) throws -> GCReport {
        let cutoff = cutoff.map { min($0, now.addingTimeInterval(-GarbageCollector.writeHorizon)) }
        var walk = ObjectGraphWalk(store: self)
        var refs = try list(prefix: "refs/")
        if let head = try resolve("HEAD") { refs.append(("HEAD", head)) }
        for (name, id) in refs { try walk.add(id, missing: .fail(origin: name)) }
        for ref in try refsWithReflogs() {
            for entry in try reflog(ref) {
                for id in [entry.old, entry.new] where !id.isZero { try walk.add(id, missing: .skip) }
            }
        }
        var report = GCReport()
        var pruned: [ObjectID] = []
        for (id, added) in try storedObjectDates() where !walk.seen.contains(id) {
            if let cutoff, added <= cutoff { pruned.append(id) } else { report.keptRecentObjects += 1 }
        }
        report.prunedObjects = try removeObjects(pruned)
        return report
    }

    /// Expires reflog entries by the rules of ``Repository/expireReflogs(now:)``;
    /// entries appended while the rules are applied are kept.
    package func recordExpireReflogs(now: Date) throws -> ReflogExpiryReport {
        let repository = Repository(objects: self, refs: self)
        let policy = try ReflogExpiryPolicy(config: try loadConfig(), now: now)
        var report = ReflogExpiryReport()
        for ref in try refsWithReflogs() {
            let entries = try reflog(ref)
            var filter = try ReflogEntryFilter(ref: ref, tip: try resolve(ref), limits: policy.limits(for: ref),
                                               repository: repository)
            let kept = entries.filter { !filter.expires(old: $0.old, new: $0.new, time: $0.committer.time) }
            if try replaceReflogPrefix(ref, old: entries, with: kept) {
                report.logs.append(.init(ref: ref, kept: kept.count, removed: entries.count - kept.count))
            } else {
                report.locked.append(ref)
            }
        }
        return report
    }

    /// Nothing to roll up: the report of a run that did nothing.
    package func recordRepackGeometric() -> GeometricRepackReport {
        GeometricRepackReport()
    }

    /// The objects as loose ones (`count`, `size` in KiB of their bodies); no packs.
    package func recordCountObjects() throws -> ObjectCounts {
        var counts = ObjectCounts()
        counts.count = try storedObjectDates().count
        counts.size = try storedBodyBytes() / 1024
        return counts
    }
}
