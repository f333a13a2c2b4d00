import ArgumentParser
import Banyan
import Foundation
import Synchronization

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print one line per change of a branch, until interrupted.",
        discussion: """
            Each commit that changes a key under PREFIX prints one line: the commit and the \
            changed keys (+ added, ~ changed, - removed), or with --json the change as one JSON \
            object. After `--`, COMMAND runs once per change with the change as JSON on its stdin; \
            changes wait for the previous command to finish.
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

    func run() throws {
        let repository = try repository.open(maintenance: .background)
        let branch = try writeBranch(self.branch, in: repository)
        let prefix = try prefix.map { try Key(prefix: $0) } ?? .root
        let start = try since.map { try repository.resolve($0) }
        let changes = try branch.changes(prefix: prefix, since: start, pollInterval: .milliseconds(interval))
        let (json, command, maxCount) = (json, command, maxCount)
        let failure = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        // The root command is synchronous; the watch runs as a task and this thread waits for it.
        Task {
            do {
                var seen = 0
                for try await update in changes {
                    try Self.report(update, json: json, command: command)
                    seen += 1
                    if let maxCount, seen >= maxCount { break }
                }
            } catch {
                failure.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    private static func report(_ update: BranchUpdate, json: Bool, command: [String]) throws {
        let line = try update.jsonLine()
        if json {
            Output.line(line)
        } else {
            let keys = update.changes.map { change in
                (change.kind == .added ? "+" : change.kind == .removed ? "-" : "~") + change.key.path
            }
            Output.line(([update.new?.abbreviated() ?? "(deleted)"] + keys).joined(separator: " "))
        }
        guard !command.isEmpty else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            Output.error("command exited with status \(process.terminationStatus) for \(update.new?.hex ?? "deletion")")
        }
    }
}
