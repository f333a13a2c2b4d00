import Foundation

extension ConflictInbox {
    /// Merges another device's inbox commit `other` (fetched into this
    /// store) into this inbox, and returns the inbox's new head.
    ///
    /// Conflict by conflict, three-way against the two inboxes' merge base:
    /// a record one side added or removed and the other left alone takes
    /// that side's change; a record one side removed (resolved) and the
    /// other replaced (recorded anew) stays, as the newer conflict; of two
    /// different records of one conflict the later recording stays (the one
    /// whose merge commit is newer, by committer time, then id; by directory
    /// id when a merge commit is not in the store). Every device merging the same two inboxes gets the
    /// same result, so inboxes converge. Fast-forwards when one inbox
    /// contains the other.
    @discardableResult
    public func merge(_ other: ObjectID, author: Signature? = nil) throws -> ObjectID {
        let other = try repository.peelToCommit(other)
        let author = author ?? repository.defaultAuthor.signature()
        for _ in 0..<100 {
            guard let local = try head() else {
                if try inbox.move(from: nil, to: other, log: entry(nil, other, "fast-forward", author)) { return other }
                continue
            }
            if try local == other || repository.isAncestor(other, of: local) { return local }
            if try repository.isAncestor(local, of: other) {
                if try inbox.move(from: local, to: other, log: entry(local, other, "fast-forward", author)) { return other }
                continue
            }
            let base = try repository.mergeBases(local, other).first
            let tree = Tree(entries: try mergedEntries(base: base, local: local, other: other))
            var batch = ObjectBatch(algorithm: repository.hashAlgorithm)
            let treeID = batch.add(tree.rawObject)
            let commit = Commit(tree: treeID, parents: [local, other], author: author, committer: author,
                                message: "Merge conflict inboxes\n")
            let id = batch.add(commit.rawObject)
            try repository.objects.write(batch)
            if try inbox.move(from: local, to: id, log: entry(local, id, "merge", author)) { return id }
        }
        throw BanyanError(.staleRef, "the conflict inbox kept moving; gave up merging it")
    }

    /// The root entries (one directory per conflict) of the merged inbox.
    private func mergedEntries(base: ObjectID?, local: ObjectID, other: ObjectID) throws -> [TreeEntry] {
        let (was, ours, theirs) = (try entries(base), try entries(local), try entries(other))
        var merged: [TreeEntry] = []
        for name in Set(ours.keys).union(theirs.keys).union(was.keys) {
            let (b, o, t) = (was[name], ours[name], theirs[name])
            let kept: TreeEntry?
            if o == t || t == b {
                kept = o
            } else if o == b {
                kept = t
            } else if let o, let t {
                kept = try later(o, t)
            } else {
                kept = o ?? t
            }
            if let kept { merged.append(kept) }
        }
        return merged
    }

    /// Of two records of one conflict, the later recording.
    private func later(_ one: TreeEntry, _ two: TreeEntry) throws -> TreeEntry {
        func recording(_ entry: TreeEntry) throws -> (time: Int64, id: ObjectID)? {
            let directory = try Tree(decoding: repository.objects.get(entry.id, kind: .tree).body,
                                     algorithm: repository.hashAlgorithm)
            guard let file = directory.entries.first(where: { $0.name == Array(Self.recordFile.utf8) }) else { return nil }
            let record = try ConflictRecord(decoding: Data(try repository.blob(file.id)), at: entry.nameString)
            guard try repository.objects.contains(record.mergeCommit) else { return nil }
            return (try repository.commit(record.mergeCommit).committer.time, record.mergeCommit)
        }
        if let a = try recording(one), let b = try recording(two), a != b {
            return a.time != b.time ? (a.time > b.time ? one : two) : (a.id > b.id ? one : two)
        }
        return one.id > two.id ? one : two
    }

    /// The root entries of inbox commit `commit`, by name; empty for nil.
    private func entries(_ commit: ObjectID?) throws -> [[UInt8]: TreeEntry] {
        guard let commit else { return [:] }
        let root = try Tree(decoding: repository.objects.get(try repository.commit(commit).tree, kind: .tree).body,
                            algorithm: repository.hashAlgorithm)
        return Dictionary(root.entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private func entry(_ old: ObjectID?, _ new: ObjectID, _ what: String, _ who: Signature) -> ReflogEntry {
        ReflogEntry(old: old ?? .zero(repository.hashAlgorithm), new: new, committer: who, message: "conflict inbox: \(what)")
    }
}
