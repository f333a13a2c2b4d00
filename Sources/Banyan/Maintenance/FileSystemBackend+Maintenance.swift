import Foundation

extension FileSystemBackend: MaintainableStore {
    /// The tasks `maintenance.auto` and the thresholds in `config` make due; see ``Repository/maintenanceDue()``.
    public func maintenanceDue() throws -> [MaintenanceTask] {
        try MaintenanceRunner(backend: self).due()
    }

    /// Runs `tasks` in order, each repacking task under the gc lock; see ``Repository/runMaintenance(_:auto:)``.
    public func runMaintenance(_ tasks: [MaintenanceTask], waiting: Bool) throws -> MaintenanceReport {
        try MaintenanceRunner(backend: self).run(tasks, waiting: waiting)
    }

    /// One gc run under the gc lock; see ``Repository/gc(pruneBefore:)``.
    public func gc(pruneBefore cutoff: Date?) throws -> GCReport {
        try GCLock.withLock(repository: path, wait: true) {
            var collector = GarbageCollector(backend: self, cutoff: cutoff)
            return try collector.run()
        }
    }

    /// One geometric repack under the gc lock; see ``Repository/repackGeometric(factor:)``.
    public func repackGeometric(factor: Int) throws -> GeometricRepackReport {
        let settings = try MaintenanceSettings(config: try loadConfig())
        return try GCLock.withLock(repository: path, wait: true) {
            try GeometricRepacker(backend: self, factor: factor, looseLimit: max(0, settings.geometricAuto),
                                  replacedGrace: try settings.replacedPackGrace()).run()
        }
    }
}
