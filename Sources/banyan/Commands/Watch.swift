import ArgumentParser
import Banyan
import Foundation
import Synchronization

struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print one line per change of a branch, until interrupted.",
        discussion: """
            Each commit that changes a key under PREFIX prints one line: the commit and the \
            changed keys (+ added, ~ changed, - removed), or with --json the change as one JSON \
            object. After `--`, COMMAND runs once per change with the change as JSON on its stdin; \
            changes wait for the previous command to finish. On SIGINT or SIGTERM the command running \
            finishes (after 3 s it gets SIGTERM, after 4 s SIGKILL) and watch exits 0; changes not yet \
            reported are left for the next run (--since the last commit printed).
            """)

    @Argument(help: "Only changes under this key prefix (default: everything).") var prefix: String?
    @Option(name: [.short, .customLong("branch")], help: "The branch to watch (default: HEAD's branch).")
    var branch: String?
    @Flag(help: "Print each change as one line of JSON.") var json = false
    @Option(help: ArgumentHelp("Start after this revision instead of the current head.", valueName: "rev"))
    var since: String?
    @Option(help: ArgumentHelp("Stop after this many changes.", valueName: "n")) var maxCount: Int?
    @Option(help: ArgumentHelp("How often to look for other processes' commits, in milliseconds.", valueName: "ms"))
    var interval = 100
    @OptionGroup var repository: RepositoryOptions
    @Argument(parsing: .postTerminator, help: "A command to run per change, the change as JSON on its stdin.")
    var command: [String] = []

    func validate() throws {
        if let maxCount, maxCount < 1 { throw ValidationError("--max-count must be at least 1") }
        if !(10...60_000).contains(interval) { throw ValidationError("--interval must be between 10 and 60000") }
    }

    func run() async throws {
        let repository = try repository.open(maintenance: .background)
        let branch = try writeBranch(self.branch, in: repository)
        let prefix = try prefix.map { try Key(prefix: $0) } ?? .root
        let start = try since.map { try repository.resolve($0) }
        let changes = try branch.changes(prefix: prefix, since: start, pollInterval: .milliseconds(interval))
        let (json, command, maxCount) = (json, command, maxCount)
        let running = RunningCommand()
        // A task of its own, so a stop signal can cancel it.
        let watch = Task {
            var seen = 0
            for try await update in changes {
                // Stopped: what is not reported yet is left for the next run.
                if Task.isCancelled { break }
                try Self.report(update, json: json, command: command, running: running)
                seen += 1
                if let maxCount, seen >= maxCount { break }
            }
        }
        StopSignals.trap(onStop: {
            watch.cancel()
            running.stop(terminateAfter: StopSignals.gracePeriod, killAfter: StopSignals.gracePeriod + .seconds(1))
        })
        try await watch.value
    }

    private static func report(_ update: BranchUpdate, json: Bool, command: [String], running: RunningCommand) throws {
        let line = try update.jsonLine()
        if json {
            Output.line(line)
        } else {
            let keys = update.changes.map { change in
                (change.kind == .added ? "+" : change.kind == .removed ? "-" : "~") + change.key.path
            }
            Output.line(([update.new?.abbreviated() ?? "(deleted)"] + keys).joined(separator: " "))
        }
        Output.flush()   // a reader of the pipe sees each change as it happens
        guard !command.isEmpty else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let input = Pipe()
        process.standardInput = input
        try running.run(process)
        feed(Data((line + "\n").utf8), to: input.fileHandleForWriting)
        try input.fileHandleForWriting.close()
        running.waitUntilExit(process)
        if process.terminationReason == .uncaughtSignal {
            Output.error("command ended by signal \(process.terminationStatus) for \(update.new?.hex ?? "deletion")")
        } else if process.terminationStatus != 0 {
            Output.error("command exited with status \(process.terminationStatus) for \(update.new?.hex ?? "deletion")")
        }
    }

    /// Writes `data` to a command's stdin. A command that exits without
    /// reading it is no error, and must not take watch down with SIGPIPE: the
    /// signal is ignored while writing (and only then, so commands started
    /// later do not inherit the ignoring: watch starts one at a time, from the loop that calls this).
    private static func feed(_ data: Data, to handle: FileHandle) {
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        try? handle.write(contentsOf: data)
    }
}

/// The command `banyan watch` is running for an update, so a stop signal can
/// give it its grace period and then end it.
private final class RunningCommand: Sendable {
    private let current = Mutex<Process?>(nil)

    /// Starts `process` as the current command.
    func run(_ process: Process) throws {
        try current.withLock { current in
            try process.run()
            current = process
        }
    }

    /// Waits for `process` to exit; it is no longer the current command.
    func waitUntilExit(_ process: Process) {
        process.waitUntilExit()
        current.withLock { $0 = nil }
    }

    /// Sends SIGTERM to the command running `terminateAfter` from now, and
    /// SIGKILL to the one running `killAfter` from now.
    ///
    /// The signal goes to the command's process group (`Process` makes the
    /// command the leader of its own), so the programs a shell command started
    /// end with it: `Process` notices an exit only once every process holding
    /// the command's descriptors is gone.
    func stop(terminateAfter: Duration, killAfter: Duration) {
        for (delay, signal) in [(terminateAfter, SIGTERM), (killAfter, SIGKILL)] {
            StopSignals.after(delay) { [self] in
                current.withLock { current in
                    // Still running means not reaped, so the group id is still the command's.
                    guard let process = current, process.isRunning else { return }
                    kill(-process.processIdentifier, signal)
                }
            }
        }
    }
}
