#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line of a reflog file as `git reflog expire` reads and rewrites it
/// (`show_one_reflog_ent` and `expire_reflog_ent` in Git).
struct ReflogLine {
    /// The id before the update.
    var old: ObjectID
    /// The id after the update.
    var new: ObjectID
    /// The update's time, seconds since 1970.
    var time: Int64
    /// The line as Git writes it back when it keeps the entry: ids in
    /// lowercase hex, the time zone as `%+05d` and a tab before the message
    /// even when the line had none.
    var rewritten: [UInt8]

    /// Parses `line` (its newline included), or returns nil where Git's
    /// reader skips the line as corrupt: a line without its newline, a bad
    /// id, no `> ` after the identity, a time that is missing or 0, or a
    /// time zone that is not a sign and four digits. `git reflog expire`
    /// drops such lines, and so does the expiry.
    init?(_ line: ArraySlice<UInt8>, algorithm: HashAlgorithm) {
        let hexLength = algorithm.hexLength
        guard line.last == UInt8(ascii: "\n"), line.count > 2 * hexLength + 2 else { return nil }
        let start = line.startIndex
        func id(at offset: Int) -> ObjectID? {
            let hex = String(decoding: line[(start + offset)..<(start + offset + hexLength)], as: UTF8.self)
            return ObjectID(hex: hex.lowercased()).flatMap { $0.algorithm == algorithm ? $0 : nil }
        }
        guard let old = id(at: 0), line[start + hexLength] == UInt8(ascii: " "),
              let new = id(at: hexLength + 1), line[start + 2 * hexLength + 1] == UInt8(ascii: " ")
        else { return nil }
        let identityStart = start + 2 * hexLength + 2
        guard let close = line[identityStart...].firstIndex(of: UInt8(ascii: ">")),
              line.index(after: close) < line.endIndex, line[close + 1] == UInt8(ascii: " ")
        else { return nil }
        // strtoumax: leading blanks, an optional sign, digits; 0 counts as corrupt.
        var cursor = close + 2
        while cursor < line.endIndex, [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d].contains(line[cursor]) { cursor += 1 }
        if cursor < line.endIndex, line[cursor] == UInt8(ascii: "+") { cursor += 1 }
        var time: Int64 = 0
        let digitsStart = cursor
        while cursor < line.endIndex, let digit = Self.digit(line[cursor]) {
            time = time.multipliedReportingOverflow(by: 10).partialValue &+ Int64(digit)
            cursor += 1
        }
        guard cursor > digitsStart, time > 0 else { return nil }
        // " +hhmm", then a tab (skipped) or the message right away.
        guard line.endIndex - cursor >= 6, line[cursor] == UInt8(ascii: " "),
              line[cursor + 1] == UInt8(ascii: "+") || line[cursor + 1] == UInt8(ascii: "-"),
              (2...5).allSatisfy({ Self.digit(line[cursor + $0]) != nil })
        else { return nil }
        var zone = 0
        var zoneEnd = cursor + 2
        while zoneEnd < line.endIndex, let digit = Self.digit(line[zoneEnd]), zone < 100_000_000 {
            zone = zone * 10 + digit
            zoneEnd += 1
        }
        if line[cursor + 1] == UInt8(ascii: "-") { zone = -zone }
        let message = line[(line[cursor + 6] == UInt8(ascii: "\t") ? cursor + 7 : cursor + 6)...]
        self.old = old
        self.new = new
        self.time = time
        let sign = zone < 0 ? "-" : "+"
        let magnitude = String(abs(zone))
        let head = "\(old.hex) \(new.hex) "
        let tail = " \(time) \(sign)\(String(repeating: "0", count: max(0, 4 - magnitude.count)))\(magnitude)\t"
        rewritten = Array(head.utf8) + Array(line[identityStart...close]) + Array(tail.utf8) + Array(message)
    }

    private static func digit(_ byte: UInt8) -> Int? {
        (0x30...0x39).contains(byte) ? Int(byte - 0x30) : nil
    }
}

/// The commits some tips reach, found the way `git reflog expire` finds
/// them (`mark_reachable`): first the history down to the commits dated
/// before `limit`, and the rest only when an entry asks about a commit not
/// found so far. A commit that cannot be read ends its line of history.
final class ReachableCommits {
    private let repository: Repository
    private var reachable = Set<ObjectID>()
    /// Commits older than the limit whose parents are not walked yet.
    private var frontier: [ObjectID]

    /// Marks what `tips` reach down to the commits dated before `limit`.
    init(tips: [ObjectID], limit: Int64, repository: Repository) {
        self.repository = repository
        frontier = []
        walk(from: tips, limit: limit)
    }

    /// True when the tips reach `commit`; walks the rest of history the first
    /// time the answer is not known yet.
    func contains(_ commit: ObjectID) -> Bool {
        if reachable.contains(commit) { return true }
        if !frontier.isEmpty {
            let rest = frontier
            frontier = []
            walk(from: rest.flatMap { (try? repository.commit($0).parents) ?? [] }, limit: nil)
        }
        return reachable.contains(commit)
    }

    private func walk(from starts: [ObjectID], limit: Int64?) {
        var pending = starts
        while let id = pending.popLast() {
            guard !reachable.contains(id), let commit = try? repository.commit(id) else { continue }
            reachable.insert(id)
            if let limit, commit.committer.time < limit {
                frontier.append(id)
                continue
            }
            pending += commit.parents.filter { !reachable.contains($0) }
        }
    }
}

/// Which entries of one reflog expire: the decision of Git's
/// `should_expire_reflog_ent` for the ref's limits and reachability.
struct ReflogEntryFilter {
    private let limits: ReflogExpiryPolicy.Limits
    private let reachable: ReachableCommits?
    private let repository: Repository
    private var commits: [ObjectID: ObjectID?] = [:]

    /// The filter for the reflog of `ref`, whose current value resolves to
    /// `tip` (nil: the ref or its target is missing).
    ///
    /// The unreachable rule looks at what the tip reaches; for `HEAD`, at what
    /// any ref reaches. It expires every entry older than its date when the
    /// tip is no commit, or when it is not later than the overall limit.
    init(ref: String, tip: ObjectID?, limits: ReflogExpiryPolicy.Limits, repository: Repository) throws {
        self.limits = limits
        self.repository = repository
        guard limits.unreachable > limits.total else {
            reachable = nil
            return
        }
        let tips: [ObjectID]
        if ref == "HEAD" {
            tips = try repository.refs.list(prefix: "refs/").compactMap { Self.commit(for: $0.id, in: repository) }
        } else if let tip, let commit = Self.commit(for: tip, in: repository) {
            tips = [commit]
        } else {
            reachable = nil
            return
        }
        reachable = ReachableCommits(tips: tips, limit: limits.total, repository: repository)
    }

    /// True when the entry `line` expires.
    mutating func expires(_ line: ReflogLine) -> Bool {
        expires(old: line.old, new: line.new, time: line.time)
    }

    /// Whether the entry from `old` to `new` dated `time` expires.
    mutating func expires(old: ObjectID, new: ObjectID, time: Int64) -> Bool {
        if time < limits.total { return true }
        guard time < limits.unreachable else { return false }
        guard let reachable else { return true }
        return isUnreachable(old, reachable) || isUnreachable(new, reachable)
    }

    /// True for a commit (or a tag of one) that `reachable` does not hold;
    /// the zero id, another kind of object and a missing one count as reachable.
    private mutating func isUnreachable(_ id: ObjectID, _ reachable: ReachableCommits) -> Bool {
        guard !id.isZero else { return false }
        if commits[id] == nil { commits[id] = Self.commit(for: id, in: repository) }
        guard let commit = commits[id] ?? nil else { return false }
        return !reachable.contains(commit)
    }

    /// The commit `id` is or tags, nil when it is another object or cannot be read.
    private static func commit(for id: ObjectID, in repository: Repository) -> ObjectID? {
        guard let peeled = try? repository.peel(id), peeled.kind == .commit else { return nil }
        return peeled.id
    }
}
