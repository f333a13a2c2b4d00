import Foundation

/// One directory of a branch being imported: loaded from a stored tree on
/// first touch, edited in place by `M`/`D`/`C`/`R`, written back when the
/// commit is made. Directories along unchanged paths are never loaded.
///
/// A value: `C` copies a directory, edits and all, by assignment.
struct ImportTree {
    /// The tree's id while it is unchanged since it was loaded or stored.
    var id: ObjectID?
    /// The stored version this directory started from: a delta base.
    var base: ObjectID?
    /// The entries by name; nil until loaded.
    var entries: [[UInt8]: ImportEntry]?
    /// `base` encoded, when this import stored it: the next version is
    /// spliced from it, with the delta known, instead of encoded whole.
    private var encoded: EncodedTree?
    /// The names set or removed since `encoded`.
    private var changed: Set<[UInt8]> = []

    /// A new, empty directory.
    static let empty = ImportTree(id: nil, base: nil, entries: [:])

    /// The stored tree `id`, not loaded yet.
    static func stored(_ id: ObjectID) -> ImportTree {
        ImportTree(id: id, base: id, entries: nil)
    }

    private init(id: ObjectID?, base: ObjectID?, entries: [[UInt8]: ImportEntry]?) {
        self.id = id
        self.base = base
        self.entries = entries
    }

    /// Reads a tree's entries (from the objects staged so far or the store).
    typealias Loader = (ObjectID) throws -> [[UInt8]: ImportEntry]

    mutating func load(_ loader: Loader) throws {
        if entries == nil, let id { entries = try loader(id) }
    }

    /// Sets `path` to `leaf`, making directories on the way (a file in
    /// the way becomes a directory, as in git). Returns false when nothing changed.
    @discardableResult
    mutating func set(_ path: ArraySlice<[UInt8]>, to leaf: ImportEntry, loader: Loader) throws -> Bool {
        try load(loader)
        let name = path.first!
        if path.count == 1 {
            if let old = entries![name], !leaf.mode.isDirectory, old.mode == leaf.mode, old.id == leaf.id {
                return false
            }
            entries![name] = leaf
            changed.insert(name)
            id = nil
            return true
        }
        var child = entries!.removeValue(forKey: name)
            ?? ImportEntry(mode: .directory, id: .zero(Self.algorithm(leaf)), tree: .empty)
        if !child.mode.isDirectory {
            child = ImportEntry(mode: .directory, id: .zero(Self.algorithm(leaf)), tree: .empty)
        }
        if child.tree == nil { child.tree = .stored(child.id) }
        let changed = try child.tree!.set(path.dropFirst(), to: leaf, loader: loader)
        entries![name] = child
        if changed {
            self.changed.insert(name)
            id = nil
        }
        return changed
    }

    /// Removes `path` and returns what was there; a directory left empty
    /// by the removal goes too, as in git.
    mutating func remove(_ path: ArraySlice<[UInt8]>, loader: Loader) throws -> ImportEntry? {
        try load(loader)
        let name = path.first!
        guard var child = entries![name] else { return nil }
        if path.count == 1 {
            entries![name] = nil
            changed.insert(name)
            id = nil
            return child
        }
        guard child.mode.isDirectory else { return nil }
        entries![name] = nil
        if child.tree == nil { child.tree = .stored(child.id) }
        let removed = try child.tree!.remove(path.dropFirst(), loader: loader)
        if removed == nil {
            entries![name] = child
            return nil
        }
        if !(child.tree!.entries ?? [:]).isEmpty { entries![name] = child }
        changed.insert(name)
        id = nil
        return removed
    }

    /// The entry at `path`, edits included; nil when absent.
    func find(_ path: ArraySlice<[UInt8]>, loader: Loader) throws -> ImportEntry? {
        let all = try entries ?? id.map(loader) ?? [:]
        guard let entry = all[path.first!] else { return nil }
        if path.count == 1 { return entry }
        guard entry.mode.isDirectory else { return nil }
        return try (entry.tree ?? .stored(entry.id)).find(path.dropFirst(), loader: loader)
    }

    /// Writes every changed directory below and this one into `batch`
    /// (each as an edit of its previous version) and returns this tree's id;
    /// `bytes` grows by the size of the trees written.
    ///
    /// A directory this import stored before is spliced from that version's
    /// encoding, name by changed name, with the delta from it known; others
    /// are encoded whole and left to the backend's delta search.
    mutating func store(into batch: inout ObjectBatch, counts: inout [ObjectKind: Int], bytes: inout Int) -> ObjectID {
        if let id { return id }
        let raw: RawObject
        let stored: ObjectID
        if let encoded, let base {
            var edits: [EncodedTree.Edit] = []
            for name in changed {
                let new = storeChild(name, into: &batch, counts: &counts, bytes: &bytes)
                    .map { TreeEntry(name: name, mode: $0.mode, id: $0.id) }
                switch (encoded.index(of: name), new) {
                case (let index?, let new?) where encoded.isDirectory(index) == new.mode.isDirectory:
                    let old = encoded.entry(index)
                    if old.mode != new.mode || old.id != new.id { edits.append(.replace(index: index, entry: new)) }
                case (let index?, let new):
                    edits.append(.remove(index: index))
                    if let new {
                        edits.append(.insert(index: encoded.lowerBound(name, isDirectory: new.mode.isDirectory), entry: new))
                    }
                case (nil, let new?):
                    edits.append(.insert(index: encoded.lowerBound(name, isDirectory: new.mode.isDirectory), entry: new))
                case (nil, nil):
                    break
                }
            }
            let (tree, delta) = encoded.applying(edits)
            raw = RawObject(kind: .tree, body: tree.body)
            stored = batch.add(raw, editOf: base, delta: delta)
            self.encoded = tree
        } else {
            var treeEntries: [TreeEntry] = []
            treeEntries.reserveCapacity(entries!.count)
            for name in Array(entries!.keys) {
                let entry = storeChild(name, into: &batch, counts: &counts, bytes: &bytes)!
                treeEntries.append(TreeEntry(name: name, mode: entry.mode, id: entry.id))
            }
            raw = Tree(entries: treeEntries).rawObject
            stored = base.map { batch.add(raw, editOf: $0) } ?? batch.add(raw)
            encoded = try? EncodedTree(body: raw.body, algorithm: stored.algorithm)
        }
        changed = []
        bytes += raw.body.count
        counts[.tree, default: 0] += 1
        id = stored
        base = stored
        return stored
    }

    /// The entry called `name` after storing it when it is a changed
    /// directory; nil when there is none.
    private mutating func storeChild(
        _ name: [UInt8], into batch: inout ObjectBatch, counts: inout [ObjectKind: Int], bytes: inout Int
    ) -> ImportEntry? {
        guard var entry = entries![name] else { return nil }
        if entry.tree != nil, entry.tree!.id == nil {
            entries![name] = nil
            entry.id = entry.tree!.store(into: &batch, counts: &counts, bytes: &bytes)
            entries![name] = entry
        }
        return entry
    }

    private static func algorithm(_ entry: ImportEntry) -> HashAlgorithm { entry.id.algorithm }
}

/// An entry of an `ImportTree`: mode and id, and for a directory that was
/// loaded or edited, its contents.
struct ImportEntry {
    var mode: FileMode
    /// The object's id; for a directory with a changed `tree`, stale until stored.
    var id: ObjectID
    var tree: ImportTree?
}
