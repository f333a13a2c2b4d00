import ArgumentParser
import Banyan

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show which keys differ between two revisions.",
        discussion: "One line a key: A (added), D (removed) or M (changed), a TAB, the key.")

    @Argument(help: "The old revision.") var from: String
    @Argument(help: "The new revision.") var to: String
    @Flag(help: "Print a JSON array.") var json = false
    @OptionGroup var repository: RepositoryOptions

    struct ChangeJSON: Encodable {
        var key: String
        var kind: KeyChange.Kind
        var old: String?
        var new: String?
    }

    func run() throws {
        let repo = try repository.open()
        let changes = try repo.diff(from: try repo.resolve(from), to: try repo.resolve(to))
        if json {
            try Output.json(changes.map { ChangeJSON(key: $0.key.path, kind: $0.kind, old: $0.old?.hex, new: $0.new?.hex) })
            return
        }
        for change in changes {
            let letter = switch change.kind {
            case .added: "A"
            case .removed: "D"
            case .changed: "M"
            }
            Output.line("\(letter)\t\(change.key.path)")
        }
    }
}
