import ArgumentParser
import Banyan
import Foundation

/// `notes`: a command-line notes app that keeps its notes in a Banyan store
/// and syncs devices through any Banyan server (`banyan serve`).
@main
struct NotesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notes",
        abstract: "Notes kept in a Banyan store, synced between devices without conflicts.",
        subcommands: [Add.self, Edit.self, List.self, SyncCommand.self]
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
        abstract: "Pull from a Banyan server, merge, and push.",
        discussion: "Exit status 1 when the merge leaves conflicts or the server refuses the push.")
    @Argument(help: "The server's URL (or a store's path).") var url: String
    @Option(help: "The server's token (default: $BANYAN_TOKEN).") var token: String?
    @OptionGroup var options: StoreOptions

    func run() async throws {
        let notebook = try options.open()
        switch try await notebook.sync(url: url, token: token ?? ProcessInfo.processInfo.environment["BANYAN_TOKEN"]) {
        case .synced(let pulled):
            print("synced: \(pulled)")
        case .conflicts(let keys):
            print("conflicts, nothing pushed: \(keys.joined(separator: ", "))")
            throw ExitCode(1)
        case .pushRefused(let reason):
            print("the server refused the push: \(reason); sync again")
            throw ExitCode(1)
        }
    }
}
