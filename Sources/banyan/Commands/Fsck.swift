import ArgumentParser
import Banyan

struct Fsck: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify every object's hash and format and that every branch's history is complete.",
        discussion: "Prints one line per problem and exits 1 when there is any; prints nothing when the store is sound.")

    @OptionGroup var repository: RepositoryOptions

    func run() throws {
        let problems = try repository.open().fsck()
        for problem in problems { Output.line(problem.description) }
        if !problems.isEmpty { throw ExitCode(1) }
    }
}
