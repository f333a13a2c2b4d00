import Foundation

/// Parses the expiry dates `git gc --prune=<date>` accepts, in the forms
/// people write: `now`, `never`, a relative age (`2.weeks.ago`,
/// `3 days ago`, `1.hour`), a date (`2024-05-01`, `2024-05-01 12:30:00`,
/// in the local time zone) or `@<seconds since 1970>`.
public enum PruneExpiry {
    /// The cutoff `text` names, counted back from `now`; nil for `never`.
    ///
    /// Units: seconds, minutes, hours, days, weeks, months (30 days) and
    /// years (365 days), singular or plural. Throws `invalidArgument` for
    /// anything else, naming the accepted forms.
    public static func cutoff(parsing text: String, now: Date = Date()) throws -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        switch trimmed {
        case "now": return now
        case "never": return nil
        default: break
        }
        if trimmed.hasPrefix("@"), let seconds = Int64(trimmed.dropFirst()) {
            return Date(timeIntervalSince1970: TimeInterval(seconds))
        }
        if let age = relativeAge(trimmed) { return now.addingTimeInterval(-age) }
        for format in ["yyyy-MM-dd", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = .current
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) { return date }
        }
        throw BanyanError(.invalidArgument, """
            '\(text)' is not an expiry date: use now, never, an age such as 2.weeks.ago or '3 days ago', \
            a date such as 2024-05-01 or '2024-05-01 12:30:00', or @<seconds since 1970>
            """)
    }

    private static let units: [String: TimeInterval] = [
        "second": 1, "minute": 60, "hour": 3_600, "day": 86_400,
        "week": 7 * 86_400, "month": 30 * 86_400, "year": 365 * 86_400,
    ]

    /// `<count>[. ]<unit>[s][[. ]ago]` in seconds, or nil.
    private static func relativeAge(_ text: String) -> TimeInterval? {
        var words = text.split(whereSeparator: { $0 == "." || $0 == " " }).map(String.init)
        if words.last == "ago" { words.removeLast() }
        guard words.count == 2, let count = Int(words[0]), count >= 0 else { return nil }
        var unit = words[1]
        if unit.hasSuffix("s") { unit.removeLast() }
        return units[unit].map { TimeInterval(count) * $0 }
    }
}
