import ArgumentParser
import Banyan

struct RevParse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rev-parse",
        abstract: "Print the full object id a revision names.",
        discussion: "Revisions: branch and tag names, refs/..., HEAD, full or short ids, REV^, REV^N, REV~N, REV:path.")

    @Argument(help: "The revision.") var revision: String
    @OptionGroup var repository: RepositoryOptions

    func run() throws {
        Output.line(try repository.open().resolve(revision).hex)
    }
}
