import ArgumentParser
import Banyan
import Foundation

struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "List, show and resolve the conflicts recorded in the conflict inbox.",
        discussion: """
            A merge, pull or sync run with --on-conflict record does not stop at a conflict no strategy \
            resolves: the branch keeps the newer side's version and the conflict is recorded in the inbox \
            (refs/banyan/conflicts), which `banyan sync` carries to the remote like a branch. Resolve it here, \
            on any device; the next sync takes the resolution to the others.
            """,
        subcommands: [ListConflicts.self, Show.self, Resolve.self],
        defaultSubcommand: ListConflicts.self)

    struct ListConflicts: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List open conflicts: branch, key, kind and the side the branch keeps meanwhile.",
            discussion: "Prints nothing when the inbox is empty; --json prints a list of records.")
        @Option(name: [.short, .customLong("branch")], help: "Only this branch's conflicts.") var branch: String?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var repository: RepositoryOptions

        func run() throws {
            let records = try ConflictInbox(repository: try repository.open()).records(branch: branch)
            if json { return try Output.json(records) }
            for record in records {
                Output.line("\(record.branch)\t\(record.key)\t\(record.kind.rawValue)\tkeeps \(record.kept.rawValue)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one conflict: its commits and the base, ours and theirs versions.",
            discussion: "Values that are UTF-8 text print as they are; others as their size. Exits 1 when there is no such conflict.")
        @OptionGroup var conflict: ConflictTarget
        @Flag(help: "Print the record as JSON.") var json = false
        @OptionGroup var repository: RepositoryOptions

        func run() throws {
            let repo = try repository.open()
            let record = try conflict.record(in: ConflictInbox(repository: repo))
            if json { return try Output.json(record) }
            Output.line("conflict at \(record.key) on \(record.branch): \(record.kind.rawValue)"
                        + (record.strategy.map { " (\($0))" } ?? ""))
            if let detail = record.detail { Output.line("  \(detail)") }
            Output.line("ours:   \(record.oursCommit.hex)")
            Output.line("theirs: \(record.theirsCommit.hex)")
            Output.line("merged in \(record.mergeCommit.hex), which keeps \(record.kept.rawValue)")
            for (name, id) in [("base", record.base), ("ours", record.ours), ("theirs", record.theirs)] {
                Output.line("--- \(name)" + describe(id, in: repo))
            }
        }

        private func describe(_ id: ObjectID?, in repo: Repository) -> String {
            guard let id else { return " (absent)" }
            guard let object = try? repo.objects.find(id) else { return " \(id.hex) (not in this store)" }
            guard object.kind == .blob else { return " \(id.hex) (a directory)" }
            guard let text = String(validating: object.body, as: UTF8.self) else {
                return " \(id.hex) (\(object.body.count) bytes of binary)"
            }
            return " \(id.hex)\n" + (text.hasSuffix("\n") ? String(text.dropLast()) : text)
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resolve",
            abstract: "Resolve a conflict: commit the chosen version on the branch and remove the record.",
            discussion: "Prints the branch's head afterwards. Exits 1 when there is no such conflict.")
        @OptionGroup var conflict: ConflictTarget
        @Option(help: "Take a recorded version: ours, theirs or base.") var take: Side?
        @Option(help: "Set the key to this value instead.") var value: String?
        @Flag(help: "Leave the key absent.") var remove = false
        @Option(help: ArgumentHelp("The author, as \"Name <email>\".", valueName: "author")) var author: String?
        @OptionGroup var repository: RepositoryOptions

        enum Side: String, ExpressibleByArgument, CaseIterable { case ours, theirs, base }

        func validate() throws {
            guard [take != nil, value != nil, remove].filter({ $0 }).count == 1 else {
                throw ValidationError("give exactly one of --take ours|theirs|base, --value VALUE or --remove")
            }
        }

        func run() throws {
            let inbox = ConflictInbox(repository: try repository.open())
            let record = try conflict.record(in: inbox)
            let resolution: ConflictResolution
            switch (take, value) {
            case (.ours?, _): resolution = .ours
            case (.theirs?, _): resolution = .theirs
            case (.base?, _): resolution = .base
            case (nil, let value?): resolution = .value(Array(value.utf8))
            case (nil, nil): resolution = .remove
            }
            let head = try inbox.resolve(record.key, branch: record.branch, with: resolution,
                                         author: try author.map { try Identity(parsing: $0).signature() })
            Output.line(head?.hex ?? "")
        }
    }
}

/// The conflict `show` and `resolve` act on: a key, and its branch when several have one there.
struct ConflictTarget: ParsableArguments {
    @Argument(help: "The key in conflict.") var key: String
    @Option(name: [.short, .customLong("branch")], help: "The branch (needed only when several have a conflict at the key).")
    var branch: String?

    /// The open conflict at `key`, on `branch` or on the one branch that has it.
    func record(in inbox: ConflictInbox) throws -> ConflictRecord {
        let key = try parseKey(key)
        let found = try inbox.records(branch: branch).filter { $0.key == key }
        guard let record = found.first else {
            throw BanyanError(.keyNotFound, "there is no recorded conflict at \(key)" + (branch.map { " on branch \($0)" } ?? ""))
        }
        guard found.count == 1 else {
            let branches = found.map(\.branch).joined(separator: ", ")
            throw BanyanError(.invalidArgument, "\(key) is in conflict on several branches (\(branches)); name one with -b")
        }
        return record
    }
}
