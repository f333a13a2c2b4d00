import ArgumentParser
import Banyan

struct Reset: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Move a branch to a revision; the old head stays in the branch's reflog.")

    @Argument(help: "The commit to move to.") var revision: String
    @Option(name: [.short, .customLong("branch")], help: "The branch (default: HEAD's branch).") var branch: String?
    @OptionGroup var repository: RepositoryOptions

    func run() throws {
        let repo = try repository.open()
        let branch = try writeBranch(branch, in: repo)
        let target = try repo.resolve(revision)
        try branch.reset(to: target, message: "reset: moving to \(revision)")
        Output.line(try branch.head()?.hex ?? "")
    }
}
