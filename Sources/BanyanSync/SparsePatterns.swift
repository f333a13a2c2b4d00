import Banyan

/// The patterns of a sparse-checkout file (gitignore syntax, Git's
/// non-cone mode), as a `sparse:oid=` filter reads them: which values a
/// sparse checkout would hold.
///
/// A line is a pattern; empty lines and `#` comments are skipped, a
/// leading `!` negates, a trailing `/` matches directories only, a pattern
/// without `/` matches a last segment at any depth and one with `/` the
/// whole path (a leading `/` only anchors). The last pattern that matches
/// a path decides; a value no pattern decides takes its directory's
/// decision, and the root's is "not included".
struct SparsePatterns {
    private struct Pattern {
        var pattern: [UInt8]
        var negated: Bool
        var basenameOnly: Bool
        var directoryOnly: Bool
    }

    private var patterns: [Pattern] = []

    /// Parses the bytes of a sparse-checkout file.
    init(bytes: [UInt8]) {
        for rawLine in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            var line = rawLine[...]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            // Trailing spaces go unless the last one is escaped.
            while line.last == UInt8(ascii: " "), line.dropLast().last != UInt8(ascii: "\\") { line = line.dropLast() }
            guard let first = line.first, first != UInt8(ascii: "#") else { continue }
            let negated = first == UInt8(ascii: "!")
            if negated { line = line.dropFirst() }
            let directoryOnly = line.last == UInt8(ascii: "/")
            if directoryOnly { line = line.dropLast() }
            let basenameOnly = !line.contains(UInt8(ascii: "/"))
            if line.first == UInt8(ascii: "/") { line = line.dropFirst() }
            guard !line.isEmpty else { continue }
            patterns.append(Pattern(pattern: Array(line), negated: negated, basenameOnly: basenameOnly,
                                    directoryOnly: directoryOnly))
        }
    }

    /// True or false when a pattern decides `path` (a directory's when
    /// `isDirectory`), nil when none does.
    func decision(for path: [UInt8], isDirectory: Bool) -> Bool? {
        let basename = path.lastIndex(of: UInt8(ascii: "/")).map { path[($0 + 1)...] } ?? path[...]
        for pattern in patterns.reversed() where isDirectory || !pattern.directoryOnly {
            if Self.matches(pattern, path: path, basename: basename) { return !pattern.negated }
        }
        return nil
    }

    private static func matches(_ rule: Pattern, path: [UInt8], basename: ArraySlice<UInt8>) -> Bool {
        if rule.basenameOnly { return Wildmatch.matches(rule.pattern[...], basename, pathname: false) }
        // As Git: the part before the first wildcard compares literally, the rest wildmatches.
        let prefix = rule.pattern.prefix { !Wildmatch.isGlobSpecial($0) }
        guard path.starts(with: prefix) else { return false }
        if prefix.count == rule.pattern.count { return path.count == prefix.count }
        return Wildmatch.matches(rule.pattern[prefix.count...], path[prefix.count...], pathname: true)
    }

    /// The values under the trees `roots` (ids with the path each is at)
    /// that a sparse checkout holds, at any path where they appear; trees
    /// `skip` names are not entered. `tree` reads a tree's entries.
    ///
    /// Cost: each tree read once per path it appears at.
    func includedValues(
        under roots: [(id: ObjectID, path: [UInt8])], skip: (ObjectID) -> Bool,
        tree: (ObjectID) throws -> [TreeEntry]
    ) throws -> Set<ObjectID> {
        var included = Set<ObjectID>()
        var walked = Set<[UInt8]>()
        // A directory's own decision, or its parent's.
        var stack: [(id: ObjectID, path: [UInt8], inherited: Bool)] = roots.map { ($0.id, $0.path, false) }
        while let (id, path, inherited) = stack.popLast() {
            guard !skip(id), walked.insert(id.bytes + [0] + path).inserted else { continue }
            let own = path.isEmpty ? inherited : decision(for: path, isDirectory: true) ?? inherited
            for entry in try tree(id) {
                let child = path.isEmpty ? entry.name : path + [UInt8(ascii: "/")] + entry.name
                if entry.mode.isDirectory {
                    stack.append((entry.id, child, own))
                } else if entry.mode != .gitlink, decision(for: child, isDirectory: false) ?? own {
                    included.insert(entry.id)
                }
            }
        }
        return included
    }
}
