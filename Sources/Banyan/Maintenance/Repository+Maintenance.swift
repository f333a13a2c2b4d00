import Foundation

/// A maintenance task, named as `git maintenance run --task` names its own.
public enum MaintenanceTask: String, CaseIterable, Sendable, Hashable, Codable {
    /// Everything into one pack, unreachable objects past `gc.pruneExpire`
    /// pruned, refs packed, reflogs expired: `git gc`.
    case gc
    /// The small packs (and loose objects) rolled into one so the packs form
    /// a geometric progression: `git repack --geometric=2 -d`.
    case geometricRepack = "geometric-repack"
    /// Loose refs moved into `packed-refs`: `git pack-refs --all`.
    case packRefs = "pack-refs"
    /// Reflog entries past `gc.reflogExpire` / `gc.reflogExpireUnreachable` dropped: `git reflog expire --all`.
    case reflogExpire = "reflog-expire"
    /// Unreachable loose objects past `gc.pruneExpire`, and stale temporary files, removed: `git prune`.
    case prune
    /// `objects/pack/multi-pack-index` rewritten for the current packs: `git multi-pack-index write`.
    case midx
}

/// What a geometric repack did.
public struct GeometricRepackReport: Sendable, Hashable {
    /// The new pack, `…/objects/pack/pack-<hex>` without extension; nil when nothing needed rolling up.
    public var pack: String?
    /// Objects in the new pack.
    public var packedObjects = 0
    /// Entries of the new pack stored as deltas.
    public var deltaCount = 0
    /// Size of the new `.pack` file in bytes.
    public var packBytes = 0
    /// Packs replaced by the new one; a later run deletes them, once git
    /// processes that listed them are done (`banyan.replacedPackExpire`, 30 seconds).
    public var removedPacks = 0
    /// Packs replaced by earlier runs, deleted by this one.
    public var deletedReplacedPacks = 0
    /// Loose object files packed and removed.
    public var removedLooseObjects = 0
    /// Packs before and after the run (`.keep` packs not counted).
    public var packsBefore = 0
    /// Packs after the run.
    public var packsAfter = 0
}

/// What a maintenance run did, task by task.
public struct MaintenanceReport: Sendable, Hashable {
    /// The tasks that ran, in order.
    public var tasks: [MaintenanceTask] = []
    /// The gc's report, when `gc` ran.
    public var gc: GCReport?
    /// The geometric repack's report, when `geometric-repack` ran.
    public var geometricRepack: GeometricRepackReport?
    /// Refs moved into `packed-refs` by `pack-refs`.
    public var packedRefs = 0
    /// Loose objects removed by `prune`.
    public var prunedObjects = 0
    /// Reflog entries removed by `reflog-expire` (and by `gc`, which expires reflogs first).
    public var expiredReflogEntries = 0
    /// Packs the `multi-pack-index` covers after `midx` (0: none written, fewer than two packs).
    public var midxPacks = 0
}

extension Repository {
    /// The maintenance tasks the store's thresholds make due now, in the
    /// order they would run; empty when none is, or `maintenance.auto` is false.
    ///
    /// Cheap: reads `config`, lists `objects/pack` and one loose-object
    /// directory (the loose count is estimated from it, as `git gc --auto`
    /// does). An in-memory store has nothing due. Throws `unsupported` for
    /// a store that is no ``MaintainableStore``.
    public func maintenanceDue() throws -> [MaintenanceTask] {
        try maintainableStore("maintenance").maintenanceDue()
    }

    /// Runs maintenance tasks, like `git maintenance run`: `tasks` in the
    /// given order, or with `auto` only those ``maintenanceDue()`` names.
    ///
    /// Safe while other threads and processes read and write: no reader
    /// ever misses an object, objects reachable from a ref or reflog are
    /// never removed, and nothing written during the run is. The repacking
    /// tasks hold the gc lock (`gc.pid`); with `auto`, a run that finds it
    /// taken does nothing and returns (another process is maintaining the
    /// store); without, it waits up to two minutes for it, then throws
    /// `refLocked`. In an in-memory store only `gc`, `prune` and
    /// `reflog-expire` have work to do. Throws `unsupported` for a store
    /// that is no ``MaintainableStore``, and what the tasks throw (`io`,
    /// `corruptObject`, `objectNotFound`).
    @discardableResult
    public func runMaintenance(_ tasks: [MaintenanceTask] = [], auto: Bool = false) throws -> MaintenanceReport {
        let store = try maintainableStore("maintenance")
        let chosen = auto ? try store.maintenanceDue() : (tasks.isEmpty ? [.gc] : tasks)
        do {
            return try store.runMaintenance(chosen, waiting: !auto)
        } catch let error as BanyanError where auto && error.code == .refLocked {
            return MaintenanceReport()
        }
    }

    /// Rolls the small packs (and, past `maintenance.geometric-repack.auto`,
    /// the loose objects) into one new pack so that every pack holds at least
    /// `factor` times the objects of all smaller ones together, as
    /// `git repack --geometric=<factor> -d` does; then rewrites the
    /// `multi-pack-index`.
    ///
    /// The number of packs stays logarithmic in the number of objects
    /// written, and a small write never rewrites the large packs. Nothing is
    /// pruned. Stored deltas whose base comes along are copied as they are;
    /// other objects are searched for deltas (window 10, depth 50), paths
    /// from the new commits' trees as name hints. Throws `refLocked` when a
    /// gc or another repack holds the lock for more than two minutes, `invalidArgument` for a factor
    /// under 2, `unsupported` for a store that is no ``MaintainableStore``
    /// (an in-memory store has no packs and reports nothing done).
    @discardableResult
    public func repackGeometric(factor: Int = 2) throws -> GeometricRepackReport {
        guard factor >= 2 else { throw BanyanError(.invalidArgument, "the geometric factor is \(factor); it must be at least 2") }
        return try maintainableStore("a geometric repack").repackGeometric(factor: factor)
    }
}
