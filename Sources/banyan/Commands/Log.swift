import ArgumentParser
import Banyan
import Foundation

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the commits of a branch or revision, newest first.")

    @Argument(help: "A revision to start from (default: the branch's head).") var revision: String?
    @Option(name: [.short, .customLong("branch")], help: "The branch (default: HEAD's branch).") var branch: String?
    @Option(name: .short, help: "Show at most N commits.") var n: Int?
    @Flag(help: "Follow only first parents.") var firstParent = false
    @Flag(help: "Print a JSON array.") var json = false
    @OptionGroup var repository: RepositoryOptions

    func validate() throws {
        if revision != nil && branch != nil { throw ValidationError("give a revision or -b/--branch, not both") }
        if let n, n < 0 { throw ValidationError("-n must not be negative") }
    }

    func run() throws {
        let repo = try repository.open()
        let start: ObjectID?
        if let revision {
            start = try repo.resolve(revision)
        } else {
            start = try writeBranch(branch, in: repo).head()
        }
        let entries = try start.map { try repo.log(from: $0, firstParent: firstParent, limit: n) } ?? []
        if json {
            try Output.json(entries)
            return
        }
        for (index, entry) in entries.enumerated() {
            if index > 0 { Output.line("") }
            Output.line("commit \(entry.id.hex)")
            if entry.commit.parents.count > 1 {
                Output.line("Merge: " + entry.commit.parents.map { $0.abbreviated() }.joined(separator: " "))
            }
            // Names and messages in another encoding are converted to UTF-8, as git log does.
            Output.write(Array("Author: ".utf8) + entry.commit.displayAuthorName + Array(" <\(entry.commit.author.email)>\n".utf8))
            Output.line("Date:   \(Self.gitDate(entry.commit.author))")
            Output.line("")
            for line in entry.commit.displayMessage.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast() {
                Output.write(Array("    ".utf8) + line + [10])   // git indents blank lines too
            }
        }
    }

    /// Git's default date format, in the signature's own zone.
    static func gitDate(_ signature: Signature) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: signature.timeZoneMinutes * 60)
        formatter.dateFormat = "EEE MMM d HH:mm:ss yyyy"
        let minutes = abs(signature.timeZoneMinutes)
        let zone = String(format: "%@%02d%02d", signature.timeZoneMinutes < 0 ? "-" : "+", minutes / 60, minutes % 60)
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(signature.time))) + " " + zone
    }
}
