/// The semantics every backend shares, kept in one place so that the memory,
/// filesystem and PostgreSQL backends cannot drift apart: expectation checks,
/// error wording, which refs are logged, and how a logged entry is normalized.
package enum RefUpdateRules {
    /// Throws `staleRef` unless `current` (the value of `name` read under the
    /// backend's lock) satisfies `expected`.
    package static func check(_ expected: RefExpectation, name: String, current: RefValue?) throws {
        let satisfied: Bool
        switch expected {
        case .any: satisfied = true
        case .absent: satisfied = current == nil
        case .value(let id): satisfied = current == .direct(id)
        }
        guard satisfied else {
            throw BanyanError(.staleRef, "ref \(name) is \(describe(current)), but the update expected it \(describe(expected))")
        }
    }

    /// Throws `invalidArgument` when `id` was made with another hash function than the store's.
    package static func checkAlgorithm(_ id: ObjectID, store algorithm: HashAlgorithm) throws {
        guard id.algorithm == algorithm else {
            throw BanyanError(.invalidArgument, "object id \(id) is \(id.algorithm) but the store uses \(algorithm)")
        }
    }

    /// Checks the ids a compare-and-swap mentions against the store's hash function.
    package static func checkAlgorithms(_ expected: RefExpectation, _ new: ObjectID?, store algorithm: HashAlgorithm) throws {
        if case .value(let id) = expected { try checkAlgorithm(id, store: algorithm) }
        if let new { try checkAlgorithm(new, store: algorithm) }
    }

    /// The lowercase form of an abbreviated id; throws `invalidObjectID` when it is not hex of 4 to 64 characters.
    package static func normalizedHexPrefix(_ prefix: String) throws -> String {
        guard ObjectID.isHexPrefix(prefix) else {
            throw BanyanError(.invalidObjectID, "'\(prefix)' is not an abbreviated object id (4 to 64 hex characters)")
        }
        return prefix.lowercased()
    }

    /// The error for creating `name` while `existing` is a ref inside it or containing it
    /// (Git cannot store both `refs/heads/a` and `refs/heads/a/b`: one would be a file, the other a directory).
    package static func nameConflict(_ name: String, existing: String) -> BanyanError {
        BanyanError(.alreadyExists, "cannot create ref \(name): ref \(existing) exists, and one name would be a directory of the other")
    }

    /// True when one of the two names is a directory prefix of the other.
    package static func namesConflict(_ a: String, _ b: String) -> Bool {
        a.hasPrefix(b + "/") || b.hasPrefix(a + "/")
    }

    /// The reflogs an update of `name` appends to, given the current value of `HEAD`:
    /// `name` itself when it is a branch, remote-tracking ref, note or `HEAD`
    /// (Git's `core.logAllRefUpdates = true`), and `HEAD` when it points at `name`.
    package static func logNames(for name: String, head: RefValue?) -> [String] {
        var names: [String] = []
        if name == "HEAD" || loggedPrefixes.contains(where: name.hasPrefix) { names.append(name) }
        if name != "HEAD", head == .symbolic(name) { names.append("HEAD") }
        return names
    }

    /// The entry a backend stores for an update from `old` to `new` requested with `log`.
    ///
    /// The old and new ids are the ones the update really made (the caller may
    /// not know the old value, e.g. with `.any`); the committer and message
    /// are the caller's, with characters that would break a reflog line removed.
    package static func entry(from log: ReflogEntry, old: RefValue?, new: ObjectID) -> ReflogEntry {
        var oldID = ObjectID.zero(new.algorithm)
        if case .direct(let id) = old { oldID = id }
        var committer = log.committer
        committer.name = identityText(committer.name)
        committer.email = identityText(committer.email)
        var message = String(log.message.map { $0.isNewline ? " " : $0 })
        while message.last?.isWhitespace == true { message.removeLast() }
        return ReflogEntry(old: oldID, new: new, committer: committer, message: message)
    }

    /// `refs` sorted by name bytes, the order `git for-each-ref` uses.
    package static func sortedByName(_ refs: [(name: String, id: ObjectID)]) -> [(name: String, id: ObjectID)] {
        refs.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    private static let loggedPrefixes = ["refs/heads/", "refs/remotes/", "refs/notes/"]

    private static func identityText(_ text: String) -> String {
        String(text.filter { $0 != "<" && $0 != ">" && $0 != "\t" && !$0.isNewline }).trimmingSpaces()
    }

    private static func describe(_ value: RefValue?) -> String {
        switch value {
        case .none: "absent"
        case .direct(let id): "at \(id)"
        case .symbolic(let target): "a symbolic ref to \(target)"
        }
    }

    private static func describe(_ expected: RefExpectation) -> String {
        switch expected {
        case .any: "to be anything"
        case .absent: "to be absent"
        case .value(let id): "at \(id)"
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first == " " || slice.first == "\t" { slice.removeFirst() }
        while slice.last == " " || slice.last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
