import Foundation

extension MemoryBackend: MaintainableStore {
    /// Nothing is ever due: the store has no files to repack.
    public func maintenanceDue() throws -> [MaintenanceTask] { [] }

    /// Runs `tasks` in order: `gc` expires reflogs then prunes, `prune` prunes,
    /// `reflog-expire` expires, each by the configuration's `gc.pruneExpire`
    /// and `gc.reflogExpire*`; the packing tasks have nothing to do.
    public func runMaintenance(_ tasks: [MaintenanceTask], waiting: Bool) throws -> MaintenanceReport {
        var report = MaintenanceReport()
        let settings = try MaintenanceSettings(config: try loadConfig())
        for task in tasks {
            switch task {
            case .gc:
                report.expiredReflogEntries += try expireReflogs(now: Date()).removed
                report.gc = try gc(pruneBefore: try settings.pruneCutoff())
            case .prune:
                report.prunedObjects = try gc(pruneBefore: try settings.pruneCutoff()).prunedObjects
            case .reflogExpire:
                report.expiredReflogEntries += try expireReflogs(now: Date()).removed
            case .geometricRepack, .packRefs, .midx:
                break
            }
            report.tasks.append(task)
        }
        return report
    }

    /// Removes the objects that no ref, `HEAD` or reflog entry reaches and
    /// that were stored at or before `cutoff` (nil: none), and not within
    /// the last hour whatever the cutoff, as the filesystem backend's gc: a
    /// transaction stores its objects before its ref moves, so a write in
    /// progress may name them any moment.
    ///
    /// Throws `objectNotFound` when an object a ref reaches is missing,
    /// before anything is removed.
    public func gc(pruneBefore cutoff: Date?) throws -> GCReport {
        try gc(pruneBefore: cutoff, now: Date())
    }

    /// The gc at time `now`, which sets the write horizon.
    func gc(pruneBefore cutoff: Date?, now: Date) throws -> GCReport {
        let cutoff = cutoff.map { min($0, now.addingTimeInterval(-GarbageCollector.writeHorizon)) }
        var walk = ObjectGraphWalk(store: self)
        var refs = try list(prefix: "refs/")
        if let head = try resolve("HEAD") { refs.append(("HEAD", head)) }
        for (name, id) in refs { try walk.add(id, missing: .fail(origin: name)) }
        for ref in refsWithReflogs() {
            for entry in try reflog(ref) {
                for id in [entry.old, entry.new] where !id.isZero { try walk.add(id, missing: .skip) }
            }
        }
        var report = GCReport()
        var pruned: [ObjectID] = []
        for (id, stored) in storedObjects() where !walk.seen.contains(id) {
            if let cutoff, stored.added <= cutoff { pruned.append(id) } else { report.keptRecentObjects += 1 }
        }
        report.prunedObjects = removeObjects(pruned)
        return report
    }

    /// Nothing to roll up: the report of a run that did nothing.
    public func repackGeometric(factor: Int) throws -> GeometricRepackReport {
        GeometricRepackReport()
    }

    /// Expires reflog entries by the rules of ``Repository/expireReflogs(now:)``;
    /// entries appended while the rules are applied are kept.
    public func expireReflogs(now: Date) throws -> ReflogExpiryReport {
        let repository = Repository(objects: self, refs: self)
        let policy = try ReflogExpiryPolicy(config: try loadConfig(), now: now)
        var report = ReflogExpiryReport()
        for ref in refsWithReflogs() {
            let entries = try reflog(ref)
            var filter = try ReflogEntryFilter(ref: ref, tip: try resolve(ref), limits: policy.limits(for: ref),
                                               repository: repository)
            let kept = entries.filter { !filter.expires(old: $0.old, new: $0.new, time: $0.committer.time) }
            if replaceReflogPrefix(ref, old: entries, with: kept) {
                report.logs.append(.init(ref: ref, kept: kept.count, removed: entries.count - kept.count))
            } else {
                report.locked.append(ref)
            }
        }
        return report
    }

    /// The objects as loose ones (`count`, `size` in KiB of their bodies); no packs.
    public func countObjects() throws -> ObjectCounts {
        let stored = storedObjects()
        var counts = ObjectCounts()
        counts.count = stored.count
        counts.size = UInt64(stored.values.reduce(0) { $0 + $1.object.body.count }) / 1024
        return counts
    }

    /// True once objects were stored in this backend.
    public var hasStoredObjects: Bool {
        wroteObjects.load(ordering: .relaxed)
    }
}
