import ArgumentParser
import Banyan

struct Fsck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsck",
        abstract: "Verify every object's hash and format and that every branch's history is complete.",
        discussion: """
            Checks as `git fsck` does and reports in its words: `error in tree ID: hasDotgit: contains '.git'` and \
            `warning in …` on standard error, `missing blob ID`, `broken link from …` and `dangling commit ID` on \
            standard output. Each rule has Git's message id and severity; `fsck.<msg-id>` (error, warn or ignore) \
            and `fsck.skipList` in the store's config change them, as for git. Exits 0 when there is no error \
            (warnings and dangling objects included), 1 for a bad object, 2 for a missing one, 3 for both.
            """)

    @OptionGroup var repository: RepositoryOptions

    @Flag(help: "Make every warning an error, as `git fsck --strict` does.")
    var strict = false

    @Flag(inversion: .prefixedNo, help: "List the objects nothing refers to (`dangling blob ID`).")
    var dangling = true

    func run() throws {
        let repo = try repository.open()
        var policy = try repo.fsckPolicy(.fsck) ?? FsckPolicy()
        policy.strict = strict
        let report = try repo.fsck(policy: policy, dangling: dangling)
        for problem in report.problems {
            if problem.isListing { Output.line(problem.message) } else { Output.diagnostic(problem.message) }
        }
        if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
    }
}
