import ArgumentParser
import Banyan
import BanyanSync

struct RemoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote",
        abstract: "Manage remotes (remote.NAME.url in the repository's config).",
        subcommands: [Add.self, RemoveRemote.self, ListRemotes.self],
        defaultSubcommand: ListRemotes.self)

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Add a remote.",
            discussion: """
                With --encrypt the remote (any Git host, banyan serve, git http-backend) holds only ciphertext. \
                Without --key or --passphrase-file a new key is made and printed once: another device needs it.
                """)
        @Argument(help: "The remote's name.") var name: String
        @Argument(help: "Its URL (http, https) or path.") var url: String
        @OptionGroup var encryption: EncryptionOptions
        @OptionGroup var remote: RemoteOptions
        @OptionGroup var repository: RepositoryOptions

        func run() async throws {
            let repo = try repository.open()
            guard encryption.encrypt else { return try Remotes.add(Remote(name: name, url: url), to: repo) }
            let (key, salt, generated) = try await encryption.resolve(try remote.sync(repository), url: url)
            try Sync.addEncryptedRemote(name, url: url, key: key, salt: salt, to: repo)
            if generated { announce(generated: key, for: name) }
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
            let repo = try repository.open()
            let config = try repo.loadConfig()
            for remote in try Remotes.list(in: repo) {
                let encrypted = config.value(forKey: "remote.\(remote.name).banyanencrypted") == "true" ? "\t(encrypted)" : ""
                Output.line(verbose ? "\(remote.name)\t\(remote.url)\(encrypted)" : remote.name)
            }
        }
    }
}
