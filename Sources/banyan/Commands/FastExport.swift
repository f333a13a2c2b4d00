import ArgumentParser
import Banyan
import Foundation

struct FastExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fast-export",
        abstract: "Write refs and their history as a git fast-import stream.",
        discussion: """
            'banyan fast-export --all | git fast-import' rebuilds the same commits and tags, ids \
            included. Blobs are written once with marks, commits parents first with M and D lines \
            against the first parent, annotated tags as tag commands. Signed commits and tags with \
            extra headers are refused: a fast-import stream cannot carry them unchanged.
            """)

    @Flag(help: "Export every ref under refs/.")
    var all = false
    @Argument(help: "Refs to export (full or short names; HEAD means its branch).")
    var refs: [String] = []
    @OptionGroup var repository: RepositoryOptions

    func validate() throws {
        if refs.isEmpty && !all { throw ValidationError("name the refs to export, or give --all") }
    }

    func run() throws {
        let repo = try repository.open(launchingMaintenance: false)
        try repo.fastExport(refs: refs, all: all) { Output.write($0) }
    }
}
