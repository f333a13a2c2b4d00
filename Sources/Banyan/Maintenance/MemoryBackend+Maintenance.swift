import Foundation

extension MemoryBackend: MaintainableStore, RecordMaintainedStore {
    /// Nothing is ever due: the store has no files to repack.
    public func maintenanceDue() throws -> [MaintenanceTask] { [] }

    /// Runs `tasks` in order: `gc` expires reflogs then prunes, `prune` prunes,
    /// `reflog-expire` expires, each by the configuration's `gc.pruneExpire`
    /// and `gc.reflogExpire*`; the packing tasks have nothing to do.
    public func runMaintenance(_ tasks: [MaintenanceTask], waiting: Bool) throws -> MaintenanceReport {
        try recordMaintenance(tasks)
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
        try recordGC(pruneBefore: cutoff, now: Date())
    }

    /// The gc at time `now`, which sets the write horizon.
    func gc(pruneBefore cutoff: Date?, now: Date) throws -> GCReport {
        try recordGC(pruneBefore: cutoff, now: now)
    }

    /// Nothing to roll up: the report of a run that did nothing.
    public func repackGeometric(factor: Int) throws -> GeometricRepackReport {
        recordRepackGeometric()
    }

    /// Expires reflog entries by the rules of ``Repository/expireReflogs(now:)``;
    /// entries appended while the rules are applied are kept.
    public func expireReflogs(now: Date) throws -> ReflogExpiryReport {
        try recordExpireReflogs(now: now)
    }

    /// The objects as loose ones (`count`, `size` in KiB of their bodies); no packs.
    public func countObjects() throws -> ObjectCounts {
        try recordCountObjects()
    }

    /// True once objects were stored in this backend.
    public var hasStoredObjects: Bool {
        wroteObjects.load(ordering: .relaxed)
    }
}
