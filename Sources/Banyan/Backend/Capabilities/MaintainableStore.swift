import Foundation

/// A backend (objects and refs in one) that keeps its own storage in shape:
/// the work behind ``Repository/gc(pruneBefore:)``,
/// ``Repository/runMaintenance(_:auto:)``, ``Repository/repackGeometric(factor:)``,
/// ``Repository/expireReflogs(now:)`` and ``Repository/countObjects()``.
///
/// `FileSystemBackend` repacks, writes the multi-pack-index, packs refs and
/// prunes files as `git gc` and `git maintenance` do; `MemoryBackend` prunes
/// unreachable objects and expires reflog entries, and has no files to
/// repack. The repository methods throw `unsupported` for a store without it.
public protocol MaintainableStore: ObjectStore, RefStore {
    /// The maintenance tasks the store's thresholds make due now, in the order they would run.
    func maintenanceDue() throws -> [MaintenanceTask]

    /// Runs `tasks` in order; `waiting` for another run holding the store's
    /// maintenance lock (else throws `refLocked`).
    func runMaintenance(_ tasks: [MaintenanceTask], waiting: Bool) throws -> MaintenanceReport

    /// Collects garbage, pruning unreachable objects stored at or before `cutoff` (nil: none).
    func gc(pruneBefore cutoff: Date?) throws -> GCReport

    /// Rolls small packs into one so the packs form a geometric progression by `factor`.
    func repackGeometric(factor: Int) throws -> GeometricRepackReport

    /// Expires reflog entries by the store's configuration, relative dates counted back from `now`.
    func expireReflogs(now: Date) throws -> ReflogExpiryReport

    /// Counts objects and storage as `git count-objects -v` does.
    func countObjects() throws -> ObjectCounts

    /// True once this process stored objects: a one-shot writer asks whether
    /// maintenance is due only then.
    var hasStoredObjects: Bool { get }
}

extension Repository {
    /// The store that maintains this repository: its object store, when that
    /// is a ``MaintainableStore`` holding the refs too. Throws `unsupported` otherwise.
    func maintainableStore(_ work: String) throws -> any MaintainableStore {
        guard let store = objects as? any MaintainableStore, refs === store else {
            throw BanyanError(.unsupported, "\(work) needs a store that maintains itself (a MaintainableStore holding objects and refs); this repository's is not one")
        }
        return store
    }
}
