import ArgumentParser
import Banyan
import Foundation

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Write KEY<TAB>VALUE lines from standard input in one commit.",
        discussion: "Every line is checked before anything is written: one bad line writes nothing.")

    @Option(name: [.short, .customLong("branch")], help: "The branch to write (default: HEAD's branch).")
    var branch: String?
    @OptionGroup var commit: CommitOptions
    @OptionGroup var repository: RepositoryOptions

    func run() throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        var pairs: [(Key, Data)] = []
        for (index, line) in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty { continue }
            guard let tab = line.firstIndex(of: UInt8(ascii: "\t")) else {
                throw BanyanError(.invalidArgument, "line \(index + 1) has no TAB between key and value")
            }
            do {
                pairs.append((try Key(String(decoding: line[..<tab], as: UTF8.self)), Data(line[(tab + 1)...])))
            } catch let error as BanyanError {
                throw BanyanError(error.code, "line \(index + 1): \(error.message)")
            }
        }
        let branch = try writeBranch(branch, in: try repository.open())
        let message = commit.message ?? "import \(pairs.count) keys"
        let head = try branch.transaction(message: message, author: try commit.signature()) { transaction in
            for (key, value) in pairs { transaction.set(key, value) }
        }
        Output.line(head?.hex ?? "")
    }
}
