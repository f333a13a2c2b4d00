import ArgumentParser
import Banyan
import Foundation

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge a revision into a branch.",
        discussion: """
            Keys both sides changed merge by the strategy their merge attribute names in the root \
            .gitattributes (text, binary, ours, theirs, union, counter, json, set, lww); text by default, \
            binary for values that are not UTF-8 text.
            Exit status: 0 when merged (prints the new head, or "already up to date"); 1 when conflicts \
            remain (prints one line per conflict, or a JSON list with --json) and the branch does not move; \
            2 on errors.
            """)

    @Argument(help: "The revision to merge: a branch, tag or commit.") var source: String
    @Option(name: [.short, .customLong("branch")], help: "The branch to merge into (default: HEAD's branch).")
    var branch: String?
    @OptionGroup var commit: CommitOptions
    @Option(name: .customLong("on-conflict"), help: "What to keep where no strategy resolves a conflict: fail, ours, theirs or record (merge, keep the newer side, record the conflict in the inbox).")
    var onConflict: ConflictRule = .fail
    @Flag(help: "Work out the merge but write nothing.") var dryRun = false
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Merge even when the two have no common ancestor (against an empty base).")
    var allowUnrelatedHistories = false
    @OptionGroup var repository: RepositoryOptions

    struct ConflictJSON: Encodable {
        var key: String
        var kind: MergeConflict.Kind
        var base: String?
        var ours: String?
        var theirs: String?
        var strategy: String?
        var detail: String?
        var locations: [String]
    }

    struct OutcomeJSON: Encodable {
        var outcome: String
        var commit: String?
        var dryRun: Bool
        /// The keys recorded in the conflict inbox, for `recorded`.
        var recorded: [String]?
    }

    func run() throws {
        let repo = try repository.open()
        let target = try writeBranch(branch, in: repo)
        let outcome = try repo.merge(from: source, into: target, onConflict: onConflict.policy, message: commit.message,
                                     author: try commit.signature(), allowUnrelatedHistories: allowUnrelatedHistories,
                                     dryRun: dryRun)
        switch outcome {
        case .upToDate:
            try report("upToDate", nil, text: "already up to date")
        case .fastForward(let id):
            try report("fastForward", id, text: dryRun ? "would fast-forward to \(id.hex)" : id.hex)
        case .merged(let id):
            try report("merged", dryRun ? nil : id, text: dryRun ? "would merge cleanly" : id.hex)
        case .recorded(let id, let conflicts):
            if json {
                try Output.json(OutcomeJSON(outcome: "recorded", commit: dryRun ? nil : id.hex, dryRun: dryRun,
                                            recorded: conflicts.map(\.key.path)))
            } else {
                Output.line(dryRun ? "would merge, recording conflicts" : id.hex)
                for conflict in conflicts { Output.line("recorded: " + Self.describe(conflict)) }
            }
        case .conflicts(let conflicts):
            if json {
                try Output.json(conflicts.map {
                    ConflictJSON(key: $0.key.path, kind: $0.kind, base: $0.base?.hex, ours: $0.ours?.hex, theirs: $0.theirs?.hex,
                                 strategy: $0.strategy, detail: $0.detail, locations: $0.locations)
                })
            } else {
                for conflict in conflicts { Output.line(Self.describe(conflict)) }
            }
            Output.error("\(conflicts.count) conflict\(conflicts.count == 1 ? "" : "s"); branch \(target.name) was not changed")
            throw ExitCode(1)
        }
    }

    private func report(_ outcome: String, _ id: ObjectID?, text: String) throws {
        if json {
            try Output.json(OutcomeJSON(outcome: outcome, commit: id?.hex, dryRun: dryRun))
        } else {
            Output.line(text)
        }
    }

    /// `CONFLICT (kind): key: detail at locations`.
    static func describe(_ conflict: MergeConflict) -> String {
        var line = "CONFLICT (\(conflict.kind.rawValue)): \(conflict.key.path)"
        if let detail = conflict.detail { line += ": \(detail)" }
        if !conflict.locations.isEmpty { line += " at " + conflict.locations.joined(separator: ", ") }
        return line
    }
}
