extension Repository {
    /// Resolves a revision expression to an object id, like `git rev-parse`.
    ///
    /// Accepts full and abbreviated (4+ characters, unique) hex ids, `HEAD`,
    /// branch and tag names, full ref names (`refs/...`), and the suffixes
    /// `^`, `^N`, `~`, `~N`, `^{type}`, `^{}` (chained), and `REV:path` (a key inside a commit's tree).
    /// Throws `invalidRevision` naming the part that does not resolve.
    public func resolve(_ revision: String) throws -> ObjectID {
        if let colon = revision.firstIndex(of: ":") {
            let base = String(revision[..<colon])
            let path = String(revision[revision.index(after: colon)...])
            let root = try snapshot(base.isEmpty ? "HEAD" : base)
            if path.isEmpty { return root.root }
            let key = try Key(path)
            guard let entry = try root.entry(at: key) else {
                throw BanyanError(.invalidRevision, "path '\(path)' does not exist in '\(base)'")
            }
            return entry.id
        }
        var (current, rest) = try resolveBase(revision)
        while let first = rest.first {
            rest.removeFirst()
            guard first == "^" || first == "~" else {
                throw BanyanError(.invalidRevision, "'\(revision)' has '\(first)' where '^' or '~' should be")
            }
            if first == "^", rest.first == "{" {
                guard let close = rest.firstIndex(of: "}") else {
                    throw BanyanError(.invalidRevision, "'\(revision)' has an unclosed ^{")
                }
                current = try peel(current, to: String(rest[rest.index(after: rest.startIndex)..<close]), in: revision)
                rest = rest[rest.index(after: close)...]
                continue
            }
            let digits = String(rest.prefix { $0.isNumber })
            rest.removeFirst(digits.count)
            let count = digits.isEmpty ? 1 : Int(digits)
            guard let count else { throw BanyanError(.invalidRevision, "'\(revision)' has a number out of range") }
            let commitID = try peelToCommit(current)
            if first == "^" {
                if count == 0 { current = commitID; continue }
                let parents = try commit(commitID).parents
                guard count <= parents.count else {
                    throw BanyanError(.invalidRevision, "'\(revision)': commit \(commitID.abbreviated()) has no parent \(count)")
                }
                current = parents[count - 1]
            } else {
                current = commitID
                for _ in 0..<count {
                    guard let parent = try commit(current).parents.first else {
                        throw BanyanError(.invalidRevision, "'\(revision)': commit \(current.abbreviated()) has no parent")
                    }
                    current = parent
                }
            }
        }
        return current
    }

    /// Git's `REV^{type}` (and `REV^{}`: peel tags) suffix.
    private func peel(_ id: ObjectID, to type: String, in revision: String) throws -> ObjectID {
        if type.isEmpty { return try peel(id).id }
        guard let kind = ObjectKind(rawValue: type) else {
            throw BanyanError(.invalidRevision, "'\(revision)': '\(type)' is not an object type")
        }
        if kind == .tag {
            guard try objects.get(id).kind == .tag else {
                throw BanyanError(.invalidRevision, "'\(revision)': \(id.abbreviated()) is not a tag")
            }
            return id
        }
        var peeled = try peel(id)
        if kind == .tree && peeled.kind == .commit {
            peeled = (try commit(peeled.id).tree, .tree)
        }
        guard peeled.kind == kind else {
            throw BanyanError(.invalidRevision, "'\(revision)': \(id.abbreviated()) does not peel to a \(kind)")
        }
        return peeled.id
    }

    /// Resolves the part before any `^`/`~` suffix; returns the id and the suffix.
    private func resolveBase(_ revision: String) throws -> (ObjectID, Substring) {
        let cut = revision.firstIndex { $0 == "^" || $0 == "~" } ?? revision.endIndex
        let name = String(revision[..<cut])
        let suffix = revision[cut...]
        guard !name.isEmpty else { throw BanyanError(.invalidRevision, "'\(revision)' names no revision") }
        // As git: a full-length hex name is that object, whatever refs exist.
        if name.utf8.count == hashAlgorithm.hexLength, let id = ObjectID(hex: name.lowercased()) {
            guard try objects.contains(id) else {
                throw BanyanError(.invalidRevision, "object \(name.lowercased()) is not in the repository")
            }
            return (id, suffix)
        }
        for candidate in refCandidates(name) where RefName.isValid(candidate) {
            if let id = try refs.resolve(candidate) { return (id, suffix) }
        }
        if ObjectID.isHexPrefix(name) {
            let prefix = name.lowercased()
            let matches = try objects.objectIDs(withHexPrefix: prefix)
            if matches.count == 1 { return (matches[0], suffix) }
            if matches.count > 1 {
                throw BanyanError(.ambiguousRevision, "short id '\(name)' is ambiguous: \(matches.count) objects match")
            }
        }
        throw BanyanError(.invalidRevision, "'\(name)' is not a branch, tag, ref or object id in this repository")
    }

    /// The refs a short name may stand for, in Git's order of precedence.
    private func refCandidates(_ name: String) -> [String] {
        if name == "HEAD" { return ["HEAD"] }
        return [name, "refs/\(name)", "refs/tags/\(name)", "refs/heads/\(name)",
                "refs/remotes/\(name)", "refs/remotes/\(name)/HEAD"]
    }
}
