import ArgumentParser
import Banyan
import BanyanSync
import Foundation

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Fetch, merge and push in one step; with --live, keep doing it.",
        discussion: """
            For each REMOTE (default: origin) and branch: fetch, merge the remote's branch into the local one \
            with the store's merge strategies, push the result. When the remote moved meanwhile the push is \
            refused and the round starts again, up to --attempts times. Prints one line per remote and branch \
            (or JSON with --json): up to date, fast-forwarded, merged (recording conflicts) or conflicts, and \
            whether it pushed. The conflict inbox (refs/banyan/conflicts, see `banyan conflicts`) is merged \
            with the remote's and pushed in the same round.
            Exit status: 0 when every branch is in step (conflicts recorded in the inbox included); 1 when \
            conflicts remain (that branch does not move and is not pushed); 2 on errors, including a push the \
            remote refused at every attempt.

            With --live, sync runs until SIGINT or SIGTERM (then exits 0): a round at the start, when a synced \
            branch moves locally and when the remote changes (a banyan serve remote announces changes on its \
            change stream; other remotes are polled every second, slowing to 15 s while idle). An unreachable \
            remote is retried with exponential backoff and jitter, up to 10 s apart; local commits wait in the \
            store meanwhile. It prints one line per event that changed something (or JSON lines with --json).
            """)

    @Argument(help: "The remotes to sync with (default: origin).") var remotes: [String] = []
    @Option(name: [.short, .customLong("branch")], help: "A branch to sync; repeat for more (default: HEAD's branch).")
    var branches: [String] = []
    @Option(name: .customLong("on-conflict"), help: "What to keep where no strategy resolves a conflict: fail, ours, theirs or record (merge, keep the newer side, record the conflict in the inbox for `banyan conflicts`).")
    var onConflict: ConflictRule = .fail
    @Option(help: ArgumentHelp("Fetch-merge-push attempts when the remote moves meanwhile.", valueName: "n"))
    var attempts = 3
    @Flag(help: "Keep the store converged until interrupted.") var live = false
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var repository: RepositoryOptions

    func validate() throws {
        if attempts < 1 { throw ValidationError("--attempts must be at least 1") }
    }

    func run() async throws {
        let sync = try remote.sync(repository)
        let branches = try branches.isEmpty ? [sync.repository.currentBranch().name] : branches
        let remotes = remotes.isEmpty ? ["origin"] : remotes
        if live {
            try await runLive(sync, remotes: remotes, branches: branches)
            return
        }
        var reports: [SyncReport] = []
        for name in remotes {
            do {
                reports.append(SyncReport(try await sync.sync(remote: name, branches: branches, onConflict: onConflict.policy,
                                                              attempts: attempts)))
            } catch let error as BanyanError {
                reports.append(SyncReport(remote: name, error: error.description))
            }
        }
        if json {
            try Output.json(SyncReports(remotes: reports))
        } else {
            for report in reports { report.print() }
        }
        if reports.contains(where: { $0.error != nil || $0.branches.contains { $0.pushRefusal != nil } }) { throw ExitCode(2) }
        if reports.contains(where: { $0.branches.contains { $0.action == .conflicts } }) { throw ExitCode(1) }
    }

    private func runLive(_ sync: Sync, remotes: [String], branches: [String]) async throws {
        let options = LiveSync.Options(onConflict: onConflict, attempts: attempts)
        let events = try sync.live(remotes: remotes, branches: branches, options: options)
        let json = json
        let task = Task {
            for await event in events { LiveLog.print(event, json: json, recording: onConflict == .record) }
        }
        StopSignals.trap(onStop: { task.cancel() })
        await task.value
    }
}
