import Foundation

/// When the entries of each reflog expire, from a repository's config, as
/// `git reflog expire --all` decides it (`builtin/reflog.c`).
///
/// `gc.reflogExpire` (default 90 days) and `gc.reflogExpireUnreachable`
/// (default 30 days) apply to every ref no pattern matches;
/// `gc.<pattern>.reflogExpire` and `gc.<pattern>.reflogExpireUnreachable`
/// to the refs the pattern matches (Git's `wildmatch` without the pathname
/// flag, so `*` crosses `/`), the first pattern in config order winning. As
/// in Git, a pattern that sets only one of the two leaves the other at
/// `never`, not at the default, and `refs/stash` matched by no pattern never
/// expires.
struct ReflogExpiryPolicy {
    /// Entries dated before `total` expire; entries dated before
    /// `unreachable` expire when one of their ids is a commit the ref's tip
    /// (for `HEAD`: any ref) does not reach. In seconds since 1970: 0 for
    /// never, `Int64.max` for everything.
    struct Limits: Equatable {
        /// `reflogExpire`: every entry dated before it expires.
        var total: Int64
        /// `reflogExpireUnreachable`: entries dated before it expire when they name an unreachable commit.
        var unreachable: Int64
    }

    private var defaults: Limits
    private var patterns: [(pattern: [UInt8], limits: Limits)] = []

    /// The policy of `config`, with relative dates counted back from `now`.
    ///
    /// Throws `invalidArgument` naming the key for a value that is no expiry
    /// date, or a key without a value (Git refuses both).
    init(config: GitConfig, now: Date) throws {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        defaults = Limits(total: seconds - 90 * 86_400, unreachable: seconds - 30 * 86_400)
        for section in config.sections where section.name.lowercased() == "gc" {
            for entry in section.entries {
                let key = entry.key.lowercased()
                guard key == "reflogexpire" || key == "reflogexpireunreachable" else { continue }
                let name = "gc." + (section.subsection.map { $0 + "." } ?? "") + entry.key
                guard let value = entry.value else {
                    throw BanyanError(.invalidArgument, "config \(name) needs a value: an expiry date such as 90.days.ago, or never")
                }
                let cutoff: Int64
                do {
                    cutoff = try PruneExpiry.reflogCutoff(parsing: value, now: now)
                } catch {
                    throw BanyanError(.invalidArgument, "config \(name) = '\(value)' is not an expiry date", cause: error)
                }
                set(cutoff, unreachable: key == "reflogexpireunreachable", pattern: section.subsection)
            }
        }
    }

    /// The limits for the reflog of `ref` (`HEAD`, `refs/heads/main`, …).
    func limits(for ref: String) -> Limits {
        let name = Array(ref.utf8)
        if let match = patterns.first(where: { Wildmatch.matches($0.pattern[...], name[...], pathname: false) }) {
            return match.limits
        }
        return ref == "refs/stash" ? Limits(total: 0, unreachable: 0) : defaults
    }

    private mutating func set(_ cutoff: Int64, unreachable: Bool, pattern: String?) {
        guard let pattern else {
            if unreachable { defaults.unreachable = cutoff } else { defaults.total = cutoff }
            return
        }
        let bytes = Array(pattern.utf8)
        let index = patterns.firstIndex { $0.pattern == bytes } ?? {
            // Git's entry starts zeroed: the slot a pattern does not set is never.
            patterns.append((bytes, Limits(total: 0, unreachable: 0)))
            return patterns.count - 1
        }()
        if unreachable { patterns[index].limits.unreachable = cutoff } else { patterns[index].limits.total = cutoff }
    }
}
