import Foundation

/// Decides which maintenance tasks are due and runs them on one filesystem
/// backend; behind `Repository.runMaintenance` and the background scheduler.
struct MaintenanceRunner {
    let backend: FileSystemBackend

    /// The tasks the thresholds in `config` make due, as `git maintenance run --auto` decides.
    ///
    /// A full gc when loose objects pass `gc.auto` or packs pass
    /// `gc.autoPackLimit` (as `git gc --auto`); otherwise a geometric repack
    /// (with the multi-pack-index after it) when the packs break the
    /// progression or loose objects pass `maintenance.geometric-repack.auto`
    /// (it rewrites the multi-pack-index itself), or packs an earlier repack
    /// replaced are past their grace period.
    func due() throws -> [MaintenanceTask] {
        let settings = try MaintenanceSettings(config: try backend.loadConfig())
        guard settings.auto else { return [] }
        let loose = try estimatedLooseObjects()
        let packs = try backend.packs.refresh().count
        if settings.gcAuto > 0 && (loose > settings.gcAuto || (settings.gcAutoPackLimit > 0 && packs > settings.gcAutoPackLimit)) {
            return [.gc]
        }
        guard settings.geometricAuto != 0 else { return [] }
        let listed = try GeometricRepacker.listPacks(backend)
        let waiting = settings.geometricAuto < 0 || loose > settings.geometricAuto ? loose : 0
        let geometry = PackGeometry(packs: listed.map(\.geometry), factor: settings.splitFactor, looseObjects: waiting)
        let replacedDue = ReplacedPacks.nextExpiry(backend.path).map { $0 <= Date() } ?? false
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
                let cutoff = try settings.pruneCutoff()
                report.gc = try GCLock.withLock(repository: backend.path, wait: waiting) {
                    var collector = GarbageCollector(backend: backend, cutoff: cutoff)
                    return try collector.run()
                }
            case .geometricRepack:
                report.geometricRepack = try GCLock.withLock(repository: backend.path, wait: waiting) {
                    try GeometricRepacker(backend: backend, factor: settings.splitFactor,
                                          looseLimit: max(0, settings.geometricAuto)).run()
                }
            case .packRefs:
                report.packedRefs = try backend.packRefs().packed
            case .reflogExpire:
                break
            case .prune:
                let cutoff = try settings.pruneCutoff()
                report.prunedObjects = try GCLock.withLock(repository: backend.path, wait: waiting) {
                    try LoosePruner(backend: backend, cutoff: cutoff).run()
                }
            case .midx:
                report.midxPacks = try backend.writeMultiPackIndex().packs
            }
            report.tasks.append(task)
        }
        return report
    }

    /// The loose objects, estimated as Git does from one of the 256 fan-out
    /// directories (`objects/17`), so the check costs one directory listing.
    func estimatedLooseObjects() throws -> Int {
        let sample = try Posix.listDirectory(backend.path + "/objects/17")
            .count { !$0.isDirectory && $0.name.count == backend.hashAlgorithm.hexLength - 2 }
        return sample * 256
    }
}
