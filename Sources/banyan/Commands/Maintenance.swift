import ArgumentParser
import Banyan
import Foundation

struct MaintenanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maintenance",
        abstract: "Keep the store in shape, like git maintenance.",
        discussion: """
            Writes start it on their own: `banyan serve`, `banyan watch` and apps run it in the \
            background; one-shot commands start a detached `banyan maintenance run --auto` when the \
            store's thresholds make it due (maintenance.auto, maintenance.geometric-repack.auto, \
            gc.auto, gc.autoPackLimit in the store's config; see docs/durability.md).
            """,
        subcommands: [Run.self])

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run maintenance tasks: the given ones in order, the due ones with --auto, else gc.",
            discussion: """
                Tasks: gc (repack everything, prune, pack refs, expire reflogs), geometric-repack \
                (roll the small packs into one so packs stay logarithmic in number), pack-refs, \
                reflog-expire, prune (old unreachable loose objects), midx (objects/pack/multi-pack-index). \
                Safe while other processes read and write the store.
                """)

        @Option(name: .customLong("task"), help: ArgumentHelp("A task to run; repeat for several.", valueName: "task"))
        var tasks: [MaintenanceTask] = []
        @Flag(help: "Run only the tasks the store's thresholds make due; do nothing when another process maintains it.")
        var auto = false
        @Flag(name: [.short, .long], help: "Print nothing.") var quiet = false
        @OptionGroup var repository: RepositoryOptions

        func validate() throws {
            if auto && !tasks.isEmpty { throw ValidationError("use either --auto or --task, not both") }
        }

        func run() throws {
            let report = try repository.open(maintenance: .off, launchingMaintenance: false).runMaintenance(tasks, auto: auto)
            if !quiet { MaintenanceOutput.print(report) }
        }
    }
}

extension MaintenanceTask: ExpressibleByArgument {}

/// One line per task that ran.
enum MaintenanceOutput {
    static func print(_ report: MaintenanceReport) {
        for task in report.tasks {
            switch task {
            case .gc:
                if let gc = report.gc { Output.line("gc: packed \(gc.packedObjects) objects, removed \(gc.removedPacks) packs, pruned \(gc.prunedObjects)") }
            case .geometricRepack:
                if let repack = report.geometricRepack {
                    Output.line("geometric-repack: \(repack.packsBefore) packs -> \(repack.packsAfter) (\(repack.packedObjects) objects rolled up, \(repack.removedLooseObjects) loose packed)")
                }
            case .packRefs: Output.line("pack-refs: packed \(report.packedRefs) refs")
            case .reflogExpire: Output.line("reflog-expire: removed \(report.expiredReflogEntries) entries")
            case .prune: Output.line("prune: removed \(report.prunedObjects) loose objects")
            case .midx: Output.line("midx: \(report.midxPacks) packs indexed")
            }
        }
        if report.tasks.isEmpty { Output.line("nothing to do") }
    }
}
