import ArgumentParser
import Banyan

struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Print the head commit id of a branch.")

    @Option(name: [.short, .customLong("branch")], help: "The branch (default: HEAD's branch).") var branch: String?
    @OptionGroup var repository: RepositoryOptions

    func run() throws {
        let branch = try writeBranch(branch, in: try repository.open())
        guard let head = try branch.head() else {
            throw BanyanError(.refNotFound, "branch \(branch.name) has no commit yet")
        }
        Output.line(head.hex)
    }
}
