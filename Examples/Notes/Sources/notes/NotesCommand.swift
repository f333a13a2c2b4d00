import ArgumentParser
import Banyan
import BanyanSync
import Foundation

/// `notes`: a command-line notes app that keeps its notes in a Banyan store
/// and syncs devices through any Banyan server (`banyan serve`).
@main
struct NotesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notes",
        abstract: "Notes kept in a Banyan store, synced between devices; conflicts wait in an inbox.",
        subcommands: [Add.self, Edit.self, List.self, SyncCommand.self, Conflicts.self, Resolve.self]
    )
}

/// `--store PATH`, shared by every command.
struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The notes store, created when missing (default: $NOTES_STORE, then ./notes.banyan).",
                               valueName: "path"))
    var store: String?

    /// Opens (or creates) the store.
    func open() throws -> Notebook {
        try Notebook(path: store ?? ProcessInfo.processInfo.environment["NOTES_STORE"] ?? "notes.banyan")
    }
}

struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add a note.")
    @Argument(help: "The note's id, a name without '/'.") var id: String
    @Argument(help: "The title.") var title: String
    @Option(help: "The text.") var body = ""
    @Option(name: .customLong("tag"), help: "A tag (repeatable).") var tags: [String] = []
    @OptionGroup var options: StoreOptions

    func run() throws {
        try options.open().add(id: id, title: title, body: body, tags: tags)
    }
}

struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Change a note's title, text or tags.")
    @Argument(help: "The note's id.") var id: String
    @Option(help: "A new title.") var title: String?
    @Option(help: "A new text.") var body: String?
    @Option(name: .customLong("tag"), help: "A tag to add (repeatable).") var addTags: [String] = []
    @Option(name: .customLong("untag"), help: "A tag to remove (repeatable).") var removeTags: [String] = []
    @OptionGroup var options: StoreOptions

    func run() throws {
        try options.open().edit(id: id, title: title, body: body, addTags: addTags, removeTags: removeTags)
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print every note.")
    @OptionGroup var options: StoreOptions

    func run() throws {
        for note in try options.open().notes() { print(note.listing) }
    }
}

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Pull from a Banyan server, merge, and push; with --live, keep doing it.",
        discussion: """
            Conflicts no merge strategy settles are recorded in the conflict inbox (`notes conflicts`) and \
            the sync goes on. With --live, syncs whenever this store or the server changes, until interrupted. \
            Exit status 1 when the server refused the push at every attempt.
            """)
    @Argument(help: "The server's URL (or a store's path).") var url: String
    @Option(help: "The server's token (default: $BANYAN_TOKEN).") var token: String?
    @Flag(help: "Keep syncing until interrupted (SIGINT or SIGTERM).") var live = false
    @OptionGroup var options: StoreOptions

    func run() async throws {
        let notebook = try options.open()
        let token = token ?? ProcessInfo.processInfo.environment["BANYAN_TOKEN"]
        if live { return try await runLive(notebook, token: token) }
        let outcome = try await notebook.sync(url: url, token: token)
        guard let main = outcome.branches.first else { return }
        if let refusal = main.pushRefusal {
            print("the server refused the push: \(refusal); sync again")
            throw ExitCode(1)
        }
        print("synced: " + Self.describe(main))
    }

    /// Prints what each round did that changed something, until SIGINT or SIGTERM.
    private func runLive(_ notebook: Notebook, token: String?) async throws {
        let sync = try notebook.syncing(with: url, token: token)
        let events = try sync.live(branches: ["main"], options: LiveSync.Options(onConflict: .record))
        let task = Task {
            for await event in events {
                switch event {
                case .synced(let outcome, _):
                    if let main = outcome.branches.first, !outcome.isNothingToDo { Self.emit("synced: " + Self.describe(main)) }
                case .offline(_, let error, _): Self.emit("offline: \(error)")
                case .online: Self.emit("online")
                case .conflict, .following: break
                }
            }
        }
        for signal in [SIGINT, SIGTERM] { Foundation.signal(signal, SIG_IGN) }
        let sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0) }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let once = OnceFlag()
            for source in sources {
                source.setEventHandler { if once.take() { done.resume() } }
                source.resume()
            }
        }
        task.cancel()
    }

    /// Writes `line` at once (a live sync's reader waits for it).
    private static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// `fast-forward`, `merged`, `merged; conflict recorded in groceries/note.json`, …
    static func describe(_ main: SyncOutcome.BranchOutcome) -> String {
        let done = switch main.action {
        case .upToDate: main.pushed ? "up to date, pushed" : "up to date"
        case .fastForwarded: "fast-forward"
        case .merged: "merged"
        case .recorded:
            "merged; conflict recorded in " + main.conflicts.map { $0.segments.dropFirst().joined(separator: "/") }
                .joined(separator: ", ")
        case .conflicts: "conflicts"
        }
        return done
    }
}

/// True for the first `take()` only.
final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var taken = false

    func take() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if taken { return false }
        taken = true
        return true
    }
}

struct Conflicts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the conflicts a sync recorded: note, key and where the two versions disagree.",
        discussion: "Meanwhile each note shows the newer edit; `notes resolve` keeps it or the other.")
    @OptionGroup var options: StoreOptions

    func run() throws {
        for conflict in try options.open().conflicts() {
            let at = conflict.locations.isEmpty ? "" : " at " + conflict.locations.joined(separator: ", ")
            print("\(conflict.id): \(conflict.key)\(at)")
        }
    }
}

struct Resolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Settle a note's conflicts: keep the version it shows (the newer edit) or the other one.")
    @Argument(help: "The note's id.") var id: String
    @Option(help: "shown or other.") var keep: Notebook.Choice
    @OptionGroup var options: StoreOptions

    func run() throws {
        try options.open().resolve(id: id, keep: keep)
    }
}

extension Notebook.Choice: ExpressibleByArgument {}
