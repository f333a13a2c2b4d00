import ArgumentParser
import Banyan
import Foundation

struct SetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set a key to a value in a new commit.",
        discussion: "Without VALUE, the value is read from standard input, byte for byte.")

    @Argument(help: "The key, a /-separated path.") var key: String
    @Argument(help: "The value (default: standard input).") var value: String?
    @Option(name: [.short, .customLong("branch")], help: "The branch to write (default: HEAD's branch).")
    var branch: String?
    @OptionGroup var commit: CommitOptions
    @OptionGroup var repository: RepositoryOptions

    func run() throws {
        let key = try parseKey(key)
        let repo = try repository.open()
        let bytes = value.map { Data($0.utf8) } ?? FileHandle.standardInput.readDataToEndOfFile()
        let head = try writeBranch(branch, in: repo).set(key, bytes, message: commit.message, author: try commit.signature())
        Output.line(head.hex)
    }
}
