import ArgumentParser
import Banyan
import BanyanSync

struct RemoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote",
        abstract: "Manage remotes (remote.NAME.url in the repository's config).",
        subcommands: [Add.self, RemoveRemote.self, ListRemotes.self],
        defaultSubcommand: ListRemotes.self)

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a remote.")
        @Argument(help: "The remote's name.") var name: String
        @Argument(help: "Its URL (http, https) or path.") var url: String
        @OptionGroup var repository: RepositoryOptions

        func run() throws {
            try Remotes.add(Remote(name: name, url: url), to: try repository.open())
        }
    }

    struct RemoveRemote: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a remote and its remote-tracking refs.")
        @Argument(help: "The remote's name.") var name: String
        @OptionGroup var repository: RepositoryOptions

        func run() throws {
            try Remotes.remove(name, from: try repository.open())
        }
    }

    struct ListRemotes: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List remotes.")
        @Flag(name: .shortAndLong, help: "Show URLs.") var verbose = false
        @OptionGroup var repository: RepositoryOptions

        func run() throws {
            for remote in try Remotes.list(in: try repository.open()) {
                Output.line(verbose ? "\(remote.name)\t\(remote.url)" : remote.name)
            }
        }
    }
}
