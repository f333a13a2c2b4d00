import ArgumentParser
import Banyan

struct CountObjects: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count-objects",
        abstract: "Count loose objects and their disk use, like git count-objects.",
        discussion: "With -v, prints the fields of git count-objects -v: sizes in KiB, packs, garbage.")

    @Flag(name: [.short, .long], help: "Report packs, prune-packable objects and garbage too.")
    var verbose = false

    @OptionGroup var repository: RepositoryOptions

    func run() throws {
        let counts = try repository.open().countObjects()
        if verbose {
            for line in counts.verboseLines { Output.line(line) }
        } else {
            Output.line("\(counts.count) objects, \(counts.size) kilobytes")
        }
    }
}
