import ArgumentParser
import Banyan

struct MergeBaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-base",
        abstract: "Print the best common ancestor of two revisions.",
        discussion: "Exits 1 when they have none (unrelated histories).")

    @Flag(help: "Print every best common ancestor (several in criss-cross histories), newest first.")
    var all = false
    @Argument(help: "The first revision.") var first: String
    @Argument(help: "The second revision.") var second: String
    @OptionGroup var repository: RepositoryOptions

    func run() throws {
        let repo = try repository.open()
        let bases = try repo.mergeBases(try repo.resolve(first), try repo.resolve(second))
        guard !bases.isEmpty else { throw ExitCode(1) }
        for base in all ? bases : Array(bases.prefix(1)) {
            Output.line(base.hex)
        }
    }
}
