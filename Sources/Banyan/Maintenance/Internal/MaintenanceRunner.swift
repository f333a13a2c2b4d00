import Foundation

/// Decides which maintenance tasks are due and runs them on one filesystem
/// backend; behind `Repository.runMaintenance` and the background scheduler.
struct MaintenanceRunner {
    let backend: FileSystemBackend
    /// Runs in the background of a process that writes: the delta search
    /// of a geometric repack takes one thread, not every core.
    var background = false

    /// The tasks the thresholds in `config` make due, as `git maintenance
    /// run --auto` decides with its incremental strategy.
    ///
    /// A geometric repack (it rewrites the multi-pack-index itself) when the
    /// packs break the progression, loose objects pass
    /// `maintenance.geometric-repack.auto`, or packs an earlier repack
    /// replaced are past their grace period. With geometric repacking off
    /// (`maintenance.geometric-repack.auto` 0), a full gc when `git gc
    /// --auto` would run one: loose objects past `gc.auto`, packs past
    /// `gc.autoPackLimit`. A full gc rewrites every object, so it never runs
    /// on its own while geometric repacking keeps the packs in check.
    func due() throws -> [MaintenanceTask] {
        let settings = try MaintenanceSettings(config: try backend.loadConfig())
        guard settings.auto else { return [] }
        let loose = try estimatedLooseObjects()
        guard settings.geometricAuto != 0 else {
            let packs = try GeometricRepacker.listPacks(backend).count
            let tooMany = loose > settings.gcAuto || (settings.gcAutoPackLimit > 0 && packs > settings.gcAutoPackLimit)
            return settings.gcAuto > 0 && tooMany ? [.gc] : []
        }
        let listed = try GeometricRepacker.listPacks(backend)
        let waiting = settings.geometricAuto < 0 || loose > settings.geometricAuto ? loose : 0
        let geometry = PackGeometry(packs: listed.map(\.geometry), factor: settings.splitFactor, looseObjects: waiting)
        let replacedDue = ReplacedPacks.nextExpiry(backend.path, grace: try settings.replacedPackGrace()).map { $0 <= Date() } ?? false
        return geometry.isNeeded || replacedDue ? [.geometricRepack] : []
    }

    /// Runs `tasks` in order; each repacking task takes the gc lock for
    /// itself, `waiting` for a running gc or repack to finish.
    func run(_ tasks: [MaintenanceTask], waiting: Bool) throws -> MaintenanceReport {
        var report = MaintenanceReport()
        let settings = try MaintenanceSettings(config: try backend.loadConfig())
        for task in tasks {
            switch task {
            case .gc:
                // As `git gc`: reflogs expire first, so what only they kept can go.
                report.expiredReflogEntries += try expireReflogs()
                let cutoff = try settings.pruneCutoff()
                report.gc = try GCLock.withLock(repository: backend.path, wait: waiting) {
                    var collector = GarbageCollector(backend: backend, cutoff: cutoff)
                    return try collector.run()
                }
            case .geometricRepack:
                report.geometricRepack = try GCLock.withLock(repository: backend.path, wait: waiting) {
                    try GeometricRepacker(backend: backend, factor: settings.splitFactor,
                                          looseLimit: max(0, settings.geometricAuto),
                                          replacedGrace: try settings.replacedPackGrace(),
                                          threads: background ? 1 : 0).run()
                }
            case .packRefs:
                report.packedRefs = try backend.packRefs().packed
            case .reflogExpire:
                report.expiredReflogEntries += try expireReflogs()
            case .prune:
                let cutoff = try settings.pruneCutoff()
                report.prunedObjects = try GCLock.withLock(repository: backend.path, wait: waiting) {
                    try LoosePruner(backend: backend, cutoff: cutoff).run()
                }
            case .midx:
                // Under the gc lock: a gc removes the index before it deletes packs.
                report.midxPacks = try GCLock.withLock(repository: backend.path, wait: waiting) {
                    try backend.writeMultiPackIndex().packs
                }
            }
            report.tasks.append(task)
        }
        return report
    }

    private func expireReflogs() throws -> Int {
        try Repository(objects: backend, refs: backend, path: backend.path).expireReflogs().removed
    }

    /// The loose objects, estimated as Git does from one of the 256 fan-out
    /// directories (`objects/17`), so the check costs one directory listing.
    func estimatedLooseObjects() throws -> Int {
        let sample = try Posix.listDirectory(backend.path + "/objects/17")
            .count { !$0.isDirectory && $0.name.count == backend.hashAlgorithm.hexLength - 2 }
        return sample * 256
    }
}
