import ArgumentParser
import Banyan

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List the keys under a prefix, one a line; directories end with '/'.")

    @Argument(help: "The directory to list (default: the root).") var prefix: String?
    @Flag(name: .short, help: "List every key below the prefix, recursively.") var recursive = false
    @OptionGroup var target: ReadTarget
    @OptionGroup var repository: RepositoryOptions

    func run() throws {
        let prefix = try Key(prefix: prefix ?? "")
        let snapshot = try target.snapshot(in: try repository.open())
        if recursive {
            for (key, _) in try snapshot.walk(prefix) { Output.line(key.path) }
        } else {
            for entry in try snapshot.list(prefix) {
                Output.line(entry.kind == .directory ? entry.key.path + "/" : entry.key.path)
            }
        }
    }
}
