/// How one key differs between two states.
public struct KeyChange: Hashable, Sendable {
    /// What happened to the key.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// The key holds a value only in the new state.
        case added
        /// The key holds a value only in the old state.
        case removed
        /// The key holds different values in the two states.
        case changed
    }

    /// The key.
    public var key: Key
    /// Added, removed or changed.
    public var kind: Kind
    /// The blob id before (nil when added).
    public var old: ObjectID?
    /// The blob id after (nil when removed).
    public var new: ObjectID?
}

extension Repository {
    /// The key-level difference from commit (or tree) `from` to `to`, sorted by key.
    ///
    /// Walks the two trees together and descends only where their ids differ,
    /// so the cost is proportional to what changed, not to the store's size.
    public func diff(from: ObjectID, to: ObjectID) throws -> [KeyChange] {
        var changes: [KeyChange] = []
        try diffTrees(try rootTree(of: from), try rootTree(of: to), prefix: .root, into: &changes)
        return changes
    }

    /// The key-level difference between two snapshots.
    public func diff(_ old: Snapshot, _ new: Snapshot) throws -> [KeyChange] {
        var changes: [KeyChange] = []
        try diffTrees(old.root, new.root, prefix: .root, into: &changes)
        return changes
    }

    private func rootTree(of id: ObjectID) throws -> ObjectID {
        // The empty tree exists without being stored, as in Git.
        if id == hashAlgorithm.emptyTreeID { return id }
        let peeled = try peel(id)
        switch peeled.kind {
        case .commit: return try commit(peeled.id).tree
        case .tree: return peeled.id
        default: throw BanyanError(.invalidRevision, "\(id) is a \(peeled.kind), not a commit or tree")
        }
    }

    private func diffTrees(_ old: ObjectID?, _ new: ObjectID?, prefix: Key, into changes: inout [KeyChange]) throws {
        if old == new { return }
        let oldEntries = try old.map { try tree($0).entries } ?? []
        let newEntries = try new.map { try tree($0).entries } ?? []
        // Both lists are in Git order; pair entries by name. A name that is a
        // value on one side and a directory on the other sorts in two places,
        // so pairing goes by a dictionary rather than a merge walk.
        var byName: [[UInt8]: (old: TreeEntry?, new: TreeEntry?)] = [:]
        for entry in oldEntries { byName[entry.name, default: (nil, nil)].old = entry }
        for entry in newEntries { byName[entry.name, default: (nil, nil)].new = entry }
        let names = byName.keys.sorted { $0.lexicographicallyPrecedes($1) }
        for name in names {
            let (a, b) = byName[name]!
            if a == b { continue }
            let key = try prefix.appending(String(decoding: name, as: UTF8.self))
            let aDir = a?.mode.isDirectory == true, bDir = b?.mode.isDirectory == true
            if aDir || bDir {
                try diffTrees(aDir ? a?.id : nil, bDir ? b?.id : nil, prefix: key, into: &changes)
            }
            let aValue = aDir ? nil : a, bValue = bDir ? nil : b
            switch (aValue, bValue) {
            case (nil, let added?):
                changes.append(KeyChange(key: key, kind: .added, old: nil, new: added.id))
            case (let removed?, nil):
                changes.append(KeyChange(key: key, kind: .removed, old: removed.id, new: nil))
            case (let before?, let after?) where before.id != after.id || before.mode != after.mode:
                changes.append(KeyChange(key: key, kind: .changed, old: before.id, new: after.id))
            default:
                break
            }
        }
    }
}
