import ArgumentParser
import Banyan

struct BranchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "branch",
        abstract: "List, create or delete branches.",
        subcommands: [ListBranches.self, Create.self, Delete.self],
        defaultSubcommand: ListBranches.self)

    struct ListBranches: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List branches; '*' marks the default (HEAD) branch.")
        @OptionGroup var repository: RepositoryOptions

        func run() throws {
            let repo = try repository.open()
            let current = try? repo.currentBranch().name
            for name in try repo.branches() {
                Output.line((name == current ? "* " : "  ") + name)
            }
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a branch.")
        @Argument(help: "The new branch's name.") var name: String
        @Option(help: ArgumentHelp("Where it starts (default: the HEAD branch's head).", valueName: "rev"))
        var from: String?
        @OptionGroup var repository: RepositoryOptions

        func run() throws {
            let repo = try repository.open()
            let branch = try repo.createBranch(name, at: try from.map { try repo.resolve($0) })
            Output.line(try branch.head()?.hex ?? "")
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a branch (not the default one).")
        @Argument(help: "The branch to delete.") var name: String
        @OptionGroup var repository: RepositoryOptions

        func run() throws {
            try repository.open().deleteBranch(name)
        }
    }
}
