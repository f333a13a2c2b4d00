import ArgumentParser
import Banyan
import BanyanPostgres
import BanyanSync
import Foundation

/// The `banyan` command line: a thin layer over the `Banyan` library.
@main
struct BanyanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "banyan",
        abstract: "A Git-compatible, versioned key-value store.",
        discussion: """
            Keys are /-separated paths, values are bytes, every write is a commit on a \
            branch. A store is a bare Git repository: git log, git fsck and git clone work on it.

            banyan -C PATH COMMAND runs COMMAND as if started in PATH, as git -C does.
            """,
        subcommands: [
            Init.self, SetCommand.self, Get.self, Remove.self, List.self, Import.self, FastImport.self, FastExport.self,
            Log.self, BranchCommand.self, Diff.self, Reset.self, SnapshotCommand.self,
            RevParse.self, CatFile.self, Fsck.self, Gc.self, CountObjects.self, VerifyPack.self,
            BundleCommand.self, Demo.self, Merge.self, MergeBaseCommand.self, MergeDriver.self,
            Serve.self, Clone.self, RemoteCommand.self, Fetch.self, Pull.self, Push.self, SyncCommand.self, Watch.self,
            ConflictsCommand.self, KeyCommand.self,
            MaintenanceCommand.self,
        ]
    )

    /// Runs the command after the global options (`-C PATH`, as git's),
    /// awaiting the ones that are async (sync, serve, watch); library errors
    /// print as one `banyan: ...` line on stderr.
    static func main() async {
        // Whatever way the process ends (here, a signal handler's exit, an
        // argument error), what it printed is written out.
        atexit { Output.flush() }
        // A PostgreSQL store is a remote URL as a path is (`banyan push postgres://…`).
        for scheme in ["postgres", "postgresql"] {
            RemoteStoreSchemes.register(scheme) { try Repository.open(postgres: $0) }
        }
        do {
            var command = try parseAsRoot(try GlobalOptions.apply(Array(CommandLine.arguments.dropFirst())))
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            MaintenanceLauncher.launchIfDue()
        } catch let error as BanyanError {
            Output.error(error.description)
            Foundation.exit(error.code == .keyNotFound ? 1 : 2)
        } catch {
            exit(withError: error)
        }
    }
}
