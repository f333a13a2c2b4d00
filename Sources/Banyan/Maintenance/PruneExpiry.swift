import Foundation

/// Parses the expiry dates `git gc --prune=<date>` and `gc.reflogExpire`
/// accept, in the forms people write: `now`, `never`, a relative age
/// (`2.weeks.ago`, `3 days ago`, `1.hour`), a date (`2024-05-01`, at the
/// current time of day as Git's approxidate takes it, or
/// `2024-05-01 12:30:00`, in the local time zone) or
/// `@<seconds since 1970>`.
public enum PruneExpiry {
    /// The cutoff `text` names, counted back from `now`; nil for `never`.
    ///
    /// Units: seconds, minutes, hours, days, weeks, months (30 days) and
    /// years (365 days), singular or plural. Throws `invalidArgument` for
    /// anything else, naming the accepted forms.
    public static func cutoff(parsing text: String, now: Date = Date()) throws -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        // Dates are read as written: `2024-05-01T12:30:00` has an upper-case T.
        let date = text.trimmingCharacters(in: .whitespaces)
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
            guard let date = formatter.date(from: date) else { continue }
            guard format == "yyyy-MM-dd" else { return date }
            // A day without a time is that day at the current time, as Git reads it.
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = .current
            let time = calendar.dateComponents([.hour, .minute, .second], from: now)
            return calendar.date(bySettingHour: time.hour ?? 0, minute: time.minute ?? 0, second: time.second ?? 0,
                                 of: date) ?? date
        }
        throw BanyanError(.invalidArgument, """
            '\(text)' is not an expiry date: use now, never, an age such as 2.weeks.ago or '3 days ago', \
            a date such as 2024-05-01 or '2024-05-01 12:30:00', or @<seconds since 1970>
            """)
    }

    /// An expiry as `git reflog expire` reads `gc.reflogExpire` and
    /// `gc.reflogExpireUnreachable` (Git's `parse_expiry_date`): entries dated
    /// before the returned time in seconds since 1970 expire. `never` and
    /// `false` are 0 (nothing), `now` and `all` are `Int64.max` (everything,
    /// future dates included); anything else is a date as ``cutoff(parsing:now:)``
    /// reads it. Throws `invalidArgument` as that does.
    static func reflogCutoff(parsing text: String, now: Date) throws -> Int64 {
        switch text {
        case "never", "false": return 0
        case "now", "all": return .max
        default: return try cutoff(parsing: text, now: now).map { Int64($0.timeIntervalSince1970.rounded(.down)) } ?? 0
        }
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
