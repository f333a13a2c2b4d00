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
        guard let start else {
            if json { try Output.json([LogEntry]()) }
            return
        }
        if json {
            try Output.json(try repo.log(from: start, firstParent: firstParent, limit: n))
            return
        }
        // Each commit formatted as bytes straight into the output, as it is read.
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        var first = true
        try repo.forEachLogEntry(from: start, firstParent: firstParent, limit: n) { entry in
            if !first { out.append(10) }
            first = false
            Self.format(entry, into: &out)
            if out.count >= 1 << 16 {
                Output.write(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        Output.write(out)
    }

    /// One commit as `git log` prints it by default.
    static func format(_ entry: LogEntry, into out: inout [UInt8]) {
        let commit = entry.commit
        out.append(contentsOf: "commit ".utf8)
        entry.id.appendHex(to: &out)
        out.append(10)
        if commit.parents.count > 1 {
            out.append(contentsOf: "Merge:".utf8)
            for parent in commit.parents { out.append(contentsOf: " \(parent.abbreviated())".utf8) }
            out.append(10)
        }
        // Names and messages in another encoding are converted to UTF-8, as git log does.
        out.append(contentsOf: "Author: ".utf8)
        out.append(contentsOf: commit.displayAuthorName)
        out.append(contentsOf: " <".utf8)
        out.append(contentsOf: commit.author.email.utf8)
        out.append(contentsOf: ">\nDate:   ".utf8)
        appendGitDate(commit.author, to: &out)
        out.append(contentsOf: "\n\n".utf8)
        let message = commit.displayMessage
        var lines = message.split(separator: 10, omittingEmptySubsequences: false)
        if message.last == 10 || message.isEmpty { lines.removeLast() }   // a last line without its newline is printed too
        for line in lines {
            out.append(contentsOf: "    ".utf8)   // git indents blank lines too
            out.append(contentsOf: line)
            out.append(10)
        }
    }

    /// Git's default date format (`Thu Nov 14 22:13:20 2023 +0100`), in the
    /// signature's own zone. Computed from the calendar arithmetic of the
    /// proleptic Gregorian calendar (H. Hinnant's `civil_from_days`): a
    /// `DateFormatter` a commit cost more than the rest of `log` together.
    static func appendGitDate(_ signature: Signature, to out: inout [UInt8]) {
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
        out.append(contentsOf: weekdays[weekday].utf8)
        out.append(32)
        out.append(contentsOf: months[Int(month) - 1].utf8)
        out.append(32)
        appendDecimal(Int(day), to: &out)
        out.append(32)
        appendTwoDigits(seconds / 3_600, to: &out)
        out.append(58)
        appendTwoDigits(seconds / 60 % 60, to: &out)
        out.append(58)
        appendTwoDigits(seconds % 60, to: &out)
        out.append(32)
        appendDecimal(Int(year), to: &out)
        out.append(32)
        out.append(signature.timeZoneMinutes < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        appendTwoDigits(minutes / 60, to: &out)
        appendTwoDigits(minutes % 60, to: &out)
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func appendTwoDigits(_ value: Int, to out: inout [UInt8]) {
        if value < 10 { out.append(UInt8(ascii: "0")) }
        appendDecimal(value, to: &out)
    }

    private static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 0 {
            out.append(UInt8(ascii: "-"))
            appendDecimal(-value, to: &out)
        } else if value < 10 {
            out.append(UInt8(ascii: "0") + UInt8(value))
        } else {
            appendDecimal(value / 10, to: &out)
            out.append(UInt8(ascii: "0") + UInt8(value % 10))
        }
    }
}
