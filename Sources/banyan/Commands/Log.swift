import ArgumentParser
import Banyan
import Foundation

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: "Show the commits of a branch or revision, newest first.")

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
            let message = entry.commit.displayMessage
            var lines = message.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            if message.last == UInt8(ascii: "\n") || message.isEmpty { lines.removeLast() }   // a last line without its newline is printed too
            for line in lines {
                Output.write(Array("    ".utf8) + line + [10])   // git indents blank lines too
            }
        }
    }

    /// Git's default date format (`Thu Nov 14 22:13:20 2023 +0100`), in the
    /// signature's own zone. Computed from the calendar arithmetic of the
    /// proleptic Gregorian calendar (H. Hinnant's `civil_from_days`): a
    /// `DateFormatter` a commit cost more than the rest of `log` together.
    static func gitDate(_ signature: Signature) -> String {
        let local = signature.time + Int64(signature.timeZoneMinutes) * 60
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let seconds = Int(local - days * 86_400)
        // civil_from_days: days since 1970-01-01 to year, month, day.
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153               // 0 is March
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let weekday = Int(((days % 7) + 11) % 7)                 // 1970-01-01 was a Thursday (4)
        let minutes = abs(signature.timeZoneMinutes)
        return "\(weekdays[weekday]) \(months[Int(month) - 1]) \(day) \(twoDigits(seconds / 3_600)):"
            + "\(twoDigits(seconds / 60 % 60)):\(twoDigits(seconds % 60)) \(year) "
            + "\(signature.timeZoneMinutes < 0 ? "-" : "+")\(twoDigits(minutes / 60))\(twoDigits(minutes % 60))"
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : String(value)
    }
}
