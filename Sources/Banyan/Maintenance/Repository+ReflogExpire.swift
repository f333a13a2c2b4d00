import Foundation

/// What one reflog expiry did, ref by ref.
public struct ReflogExpiryReport: Sendable, Hashable {
    /// The outcome for one reflog.
    public struct Log: Sendable, Hashable {
        /// The ref whose log it is: `HEAD`, `refs/heads/main`, …
        public var ref: String
        /// Entries left in the log.
        public var kept: Int
        /// Entries removed: expired, or lines Git cannot read (which `git
        /// reflog expire` drops too).
        public var removed: Int
    }

    /// Every reflog expired, sorted by ref name.
    public var logs: [Log] = []
    /// Refs whose lock other writers held for over a second (or whose `HEAD`
    /// moved to another branch meanwhile); their logs were left as they were.
    public var locked: [String] = []

    /// Entries removed from all logs.
    public var removed: Int { logs.reduce(0) { $0 + $1.removed } }
}

extension Repository {
    /// Expires old reflog entries as `git reflog expire --all` does with the
    /// repository's config, and returns what it kept and removed per ref.
    ///
    /// An entry dated before `gc.reflogExpire` (default 90 days before
    /// `now`) goes. One dated before `gc.reflogExpireUnreachable` (default
    /// 30 days) goes when its old or new id is a commit the ref's tip does
    /// not reach (for `HEAD`: that no ref reaches), so a reset or rewound
    /// branch loses the abandoned history sooner. Values are `never`, `now`
    /// (everything), or dates as ``PruneExpiry`` reads them, relative ones
    /// counted back from `now`; `gc.<pattern>.reflogExpire` and
    /// `gc.<pattern>.reflogExpireUnreachable` apply to the refs the pattern
    /// matches (Git's wildmatch, `*` crossing `/`; the first matching pattern
    /// in the config wins, and as in Git a pattern that sets one of the two
    /// leaves the other at `never`). `refs/stash` never expires unless a
    /// pattern says so. Only the repository's own `config` is read (Git also
    /// reads the user's and the system's).
    ///
    /// Each log is rewritten while its ref is locked, so no entry appended
    /// meanwhile is lost: a writer of that ref waits (up to a second) for the
    /// rewrite. The kept lines are written the way Git writes them, so the
    /// result is byte for byte what `git reflog expire --all` leaves, dropped
    /// malformed lines included. The log of a ref that does not exist is
    /// expired as Git does it (every entry past the unreachable date goes).
    /// Logs outside `HEAD` and `refs/` (names Banyan does not read) and the
    /// per-worktree logs of linked work trees are left alone. One deliberate
    /// difference: a ref holding an annotated tag counts as the tagged commit.
    /// Git 2.39 looks such a ref's tip up as a commit, fails (printing
    /// errors), and from then on also misses that tag as a tip for `HEAD`'s
    /// log, so its result depends on the order it visits the logs in.
    ///
    /// Cost: reads every reflog and, for the unreachable rule, the commits
    /// the tips reach down to the `gc.reflogExpire` date (all of history only
    /// when an entry names a commit not found there).
    ///
    /// An in-memory store applies the same rules to its logs.
    ///
    /// Throws `unsupported` for a store that is no ``MaintainableStore``,
    /// `invalidArgument` for an expiry in the config that is not a date, and
    /// `io` or `invalidRepository` when a log cannot be read or written. A
    /// ref another writer keeps locked is listed in the report's `locked`
    /// instead, and the other logs are still expired.
    @discardableResult
    public func expireReflogs(now: Date = Date()) throws -> ReflogExpiryReport {
        try maintainableStore("reflog expiry").expireReflogs(now: now)
    }
}

extension FileSystemBackend {
    /// Expires the reflog files; see ``Repository/expireReflogs(now:)``.
    @discardableResult
    public func expireReflogs(now: Date) throws -> ReflogExpiryReport {
        let repository = Repository(objects: self, refs: self, path: path)
        let policy = try ReflogExpiryPolicy(config: try loadConfig(), now: now)
        var report = ReflogExpiryReport()
        for ref in try refsWithReflogs() {
            do {
                var outcome: ReflogExpiryReport.Log?
                try rewriteReflog(ref) { bytes in
                    var filter = try ReflogEntryFilter(ref: ref, tip: try resolve(ref),
                                                       limits: policy.limits(for: ref), repository: repository)
                    var kept: [UInt8] = []
                    var log = ReflogExpiryReport.Log(ref: ref, kept: 0, removed: 0)
                    for line in Self.reflogLines(of: bytes) {
                        if let entry = ReflogLine(line, algorithm: hashAlgorithm), !filter.expires(entry) {
                            kept += entry.rewritten
                            log.kept += 1
                        } else {
                            log.removed += 1
                        }
                    }
                    outcome = log
                    return kept
                }
                if let outcome { report.logs.append(outcome) }
            } catch let error as BanyanError where error.code == .refLocked {
                report.locked.append(ref)
            }
        }
        return report
    }

    /// The lines of `bytes`, each with its newline; a last line without one is kept as it is.
    private static func reflogLines(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.count
            lines.append(bytes[start..<end])
            start = end
        }
        return lines
    }
}
