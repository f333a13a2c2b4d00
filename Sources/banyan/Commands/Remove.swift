import ArgumentParser
import Banyan

struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Remove a key (or a whole directory of keys) in a new commit.")

    @Argument(help: "The key.") var key: String
    @Option(name: [.short, .customLong("branch")], help: "The branch to write (default: HEAD's branch).")
    var branch: String?
    @OptionGroup var commit: CommitOptions
    @OptionGroup var repository: RepositoryOptions

    func run() throws {
        let key = try parseKey(key)
        let branch = try writeBranch(branch, in: try repository.open())
        guard try branch.snapshot().kind(of: key) != nil else {
            throw BanyanError(.keyNotFound, "no value or directory at '\(key)' on branch \(branch.name)")
        }
        let head = try branch.remove(key, message: commit.message, author: try commit.signature())
        Output.line(head?.hex ?? "")
    }
}
