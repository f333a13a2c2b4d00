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
            // Paths as bytes straight into the output: no Key or String a line.
            var out: [UInt8] = []
            out.reserveCapacity(1 << 16)
            try snapshot.forEachValue(under: prefix) { path, _ in
                out.append(contentsOf: path)
                out.append(UInt8(ascii: "\n"))
                if out.count >= 1 << 16 {
                    Output.write(out)
                    out.removeAll(keepingCapacity: true)
                }
            }
            Output.write(out)
        } else {
            for entry in try snapshot.list(prefix) {
                Output.line(entry.kind == .directory ? entry.key.path + "/" : entry.key.path)
            }
        }
    }
}
