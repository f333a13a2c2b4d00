import ArgumentParser
import Banyan

struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print a key's value, byte for byte.",
        discussion: "Exits 1 with a message on stderr when the key has no value.")

    @Argument(help: "The key.") var key: String
    @OptionGroup var target: ReadTarget
    @OptionGroup var repository: RepositoryOptions

    func run() throws {
        let key = try parseKey(key)
        Output.write(try target.snapshot(in: try repository.open()).get(key))
    }
}
