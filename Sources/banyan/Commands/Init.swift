import ArgumentParser
import Banyan
import BanyanPostgres

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an empty store (a bare Git repository).")

    @Argument(help: "Where to create it: a directory, or postgres://USER@HOST:PORT/DB?store=NAME for a store in a PostgreSQL database (default: -C, $BANYAN_REPO, or the current directory).")
    var path: String?

    @OptionGroup var repository: RepositoryOptions

    @Option(help: "The hash for object ids: sha1 or sha256.")
    var objectFormat: HashAlgorithm = .sha1

    @Option(help: "The name of the first branch.")
    var initialBranch: String = "main"

    func run() throws {
        let target = path ?? repository.path
        if PostgresLocation.isURL(target) {
            let location = try PostgresLocation(url: target)
            _ = try Repository.create(postgres: location, hashAlgorithm: objectFormat, initialBranch: initialBranch)
            Output.line("Initialized empty Banyan store \(location)")
            return
        }
        _ = try Repository.create(at: target, hashAlgorithm: objectFormat, initialBranch: initialBranch)
        Output.line("Initialized empty Banyan store in \(target)")
    }
}

extension HashAlgorithm: ExpressibleByArgument {}
