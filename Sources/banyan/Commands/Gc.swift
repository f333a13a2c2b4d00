import ArgumentParser
import Banyan
import Foundation

struct Gc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Repack the store into one pack, prune old unreachable objects and pack refs, like git gc.",
        discussion: """
            Objects reachable from any ref, HEAD or reflog entry are always kept; unreachable ones \
            are removed once their file is older than the --prune date (default: 2.weeks.ago) and \
            than an hour (a write in progress may name them). Safe while other processes write: \
            nothing they add during the run is removed.
            """)

    @Option(help: ArgumentHelp("Prune unreachable objects older than this: now, never, 2.weeks.ago, a date.", valueName: "date"))
    var prune: String = "2.weeks.ago"

    @Flag(name: [.short, .long], help: "Print nothing.")
    var quiet = false

    @Flag(help: "Run only the maintenance the store's thresholds make due (as `banyan maintenance run --auto`).")
    var auto = false

    @OptionGroup var repository: RepositoryOptions

    func run() throws {
        if auto {
            let report = try repository.open(launchingMaintenance: false).runMaintenance(auto: true)
            if !quiet { MaintenanceOutput.print(report) }
            return
        }
        let cutoff = try PruneExpiry.cutoff(parsing: prune)
        let report = try repository.open().gc(pruneBefore: cutoff)
        guard !quiet else { return }
        let seconds = Double(report.duration.components.seconds) + Double(report.duration.components.attoseconds) / 1e18
        Output.line("""
            packed \(report.packedObjects) objects (\(report.deltaCount) deltas, \(report.packBytes) bytes) \
            in \(String(format: "%.2f", seconds)) s; removed \(report.removedPacks) packs and \
            \(report.removedLooseObjects) loose objects; pruned \(report.prunedObjects); \
            kept \(report.keptRecentObjects) recent unreachable; packed \(report.packedRefs) refs; \
            bitmaps for \(report.bitmappedCommits) commits
            """)
    }
}
