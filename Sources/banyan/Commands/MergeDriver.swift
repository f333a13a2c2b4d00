import ArgumentParser
import Banyan
import Foundation

struct MergeDriver: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-driver",
        abstract: "Run a Banyan merge strategy as a Git merge driver.",
        discussion: """
            Configure Git with: git config merge.NAME.driver "banyan merge-driver STRATEGY %O %A %B %P" \
            and a .gitattributes line such as "*.count merge=NAME". Reads the three versions, writes the \
            result into the %A file, exits 0 when the merge is clean and 1 on a conflict (the %A file then \
            holds the strategy's tentative result, e.g. text with conflict markers, or stays ours'). \
            Other failures exit 2; Git treats every non-zero status as a conflict.
            """)

    @Argument(help: "The strategy: text, binary, ours, theirs, union, counter, json, set or lww.") var strategy: String
    @Argument(help: "The common ancestor's version (%O); empty when there is none.") var base: String
    @Argument(help: "Our version (%A), overwritten with the result.") var ours: String
    @Argument(help: "Their version (%B).") var theirs: String
    @Argument(help: "The path being merged (%P).") var path: String?

    func run() throws {
        guard let strategy = MergeStrategies.builtIn[strategy] else {
            throw BanyanError(.invalidArgument, "no merge strategy named '\(strategy)'; known: "
                              + MergeStrategies.builtIn.names.joined(separator: ", "))
        }
        let baseBytes = try Self.read(base), oursBytes = try Self.read(ours), theirsBytes = try Self.read(theirs)
        let key = path.flatMap { try? Key($0) } ?? .root
        let context = MergeContext(key: key, ours: MergeSide(label: "ours"), theirs: MergeSide(label: "theirs"))
        switch try strategy.merge(base: baseBytes.isEmpty ? nil : baseBytes, ours: oursBytes, theirs: theirsBytes,
                                  context: context) {
        case .merged(let bytes):
            try Self.write(bytes, to: ours)
        case .conflict(let conflict):
            if let tentative = conflict.tentative { try Self.write(tentative, to: ours) }
            let at = conflict.locations.isEmpty ? "" : " at " + conflict.locations.joined(separator: ", ")
            Output.error("conflict in \(path ?? ours): \(conflict.reason)\(at)")
            throw ExitCode(1)
        }
    }

    private static func read(_ file: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw BanyanError(.io, "cannot read \(file)")
        }
        return [UInt8](data)
    }

    private static func write(_ bytes: [UInt8], to file: String) throws {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: file))
        } catch {
            throw BanyanError(.io, "cannot write \(file)", cause: error)
        }
    }
}
