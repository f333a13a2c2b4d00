/// Applies a batch of key changes to a root tree, rewriting only the trees
/// on changed paths (structural sharing), and collects the new blobs and
/// trees so the caller can store them in one batch.
struct TreeEditor {
    /// One pending change at a key.
    enum Change {
        case set([UInt8])
        case remove
    }

    /// Changes grouped by path: a trie whose nodes are key segments.
    final class Node {
        /// What replaces this key's whole previous content, if anything.
        var replacement: Change?
        /// True once a remove was recorded here, so a later set may replace a directory.
        var removedBefore = false
        var children: [[UInt8]: Node] = [:]
    }

    let repository: Repository
    /// The new blobs and trees; each new tree that replaces an older version
    /// of itself is hinted as an edit of it, so the store may keep a delta.
    private(set) var batch: ObjectBatch
    private let root = Node()

    init(repository: Repository) {
        self.repository = repository
        batch = ObjectBatch(algorithm: repository.hashAlgorithm)
    }

    /// Records a change; later changes override earlier ones at the same or an enclosing key.
    mutating func record(_ key: Key, _ change: Change) throws {
        var node = root
        var path: [String] = []
        for segment in key.utf8Segments {
            path.append(String(decoding: segment, as: UTF8.self))
            if case .set = node.replacement {
                throw BanyanError(.notADirectory, "cannot write '\(key)': '\(path.dropLast().joined(separator: "/"))' is set to a value in the same commit")
            }
            if let child = node.children[segment] {
                node = child
            } else {
                let child = Node()
                node.children[segment] = child
                node = child
            }
        }
        node.replacement = change
        node.children = [:]
        if case .remove = change { node.removedBefore = true }
    }

    /// True when no change was recorded.
    var isEmpty: Bool { root.children.isEmpty && root.replacement == nil }

    /// Applies the recorded changes to `base` and returns the new root tree id.
    mutating func apply(to base: ObjectID) throws -> ObjectID {
        let entry = try apply(root, base: TreeEntry(name: [], mode: .directory, id: base), path: [])
        if let entry { return entry.id }
        return store(.empty(repository.hashAlgorithm), editOf: nil)
    }

    private mutating func apply(_ node: Node, base: TreeEntry?, path: [[UInt8]]) throws -> TreeEntry? {
        let name = path.last ?? []
        switch node.replacement {
        case .set(let bytes):
            if base?.mode.isDirectory == true && !node.removedBefore {
                throw BanyanError(.notADirectory, "cannot set '\(Self.describe(path))': it is a directory; remove it first")
            }
            return TreeEntry(name: name, mode: .regular, id: batch.add(RawObject.blob(bytes)))
        case .remove where node.children.isEmpty:
            return nil
        case .remove:
            return try applyChildren(node, to: nil, baseID: nil, path: path)
        case nil:
            guard let base else { return try applyChildren(node, to: nil, baseID: nil, path: path) }
            guard base.mode.isDirectory else {
                throw BanyanError(.notADirectory, "cannot write under '\(Self.describe(path))': it holds a value, not a directory")
            }
            return try applyChildren(node, to: try repository.encodedTree(base.id), baseID: base.id, path: path)
        }
    }

    /// Applies `node`'s children to the tree `baseID` (nil for a new directory), whose encoding is `base`.
    private mutating func applyChildren(
        _ node: Node, to base: EncodedTree?, baseID: ObjectID?, path: [[UInt8]]
    ) throws -> TreeEntry? {
        let tree = base ?? .empty(repository.hashAlgorithm)
        var edits: [EncodedTree.Edit] = []
        var count = tree.count
        for (name, child) in node.children {
            let index = tree.index(of: name)
            let before = index.map { tree.entry($0) }
            let after = try apply(child, base: before, path: path + [name])
            if after == before { continue }
            switch (index, after) {
            case (let i?, let new?) where new.mode.isDirectory == before?.mode.isDirectory:
                edits.append(.replace(index: i, entry: new))
            case (let i?, let new):
                // Gone, or a file that became a directory (or back): the two sort apart.
                edits.append(.remove(index: i))
                count -= 1
                if let new { edits.append(.insert(index: tree.lowerBound(new.name, isDirectory: new.mode.isDirectory), entry: new)) }
                if new != nil { count += 1 }
            case (nil, let new?):
                edits.append(.insert(index: tree.lowerBound(new.name, isDirectory: new.mode.isDirectory), entry: new))
                count += 1
            case (nil, nil):
                break
            }
        }
        if edits.isEmpty, let baseID { return TreeEntry(name: path.last ?? [], mode: .directory, id: baseID) }
        if count == 0 && !path.isEmpty { return nil }
        let (edited, delta) = tree.applying(edits)
        // A rewritten tree's delta is against its canonical form, not the stored base.
        let id = store(edited, editOf: baseID.map { ($0, tree.isRewritten ? nil : delta) })
        return TreeEntry(name: path.last ?? [], mode: .directory, id: id)
    }

    private static func describe(_ path: [[UInt8]]) -> String {
        path.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/")
    }

    /// Stages `tree`, an edit of `base` (with the delta from it, when known) when it has one.
    private mutating func store(_ tree: EncodedTree, editOf base: (id: ObjectID, delta: [UInt8]?)?) -> ObjectID {
        let object = RawObject(kind: .tree, body: tree.body)
        let id: ObjectID
        switch base {
        case let (baseID, delta?)?: id = batch.add(object, editOf: baseID, delta: delta)
        case let (baseID, nil)?: id = batch.add(object, editOf: baseID)
        case nil: id = batch.add(object)
        }
        repository.treeBodies.insert(tree, for: id, replacing: base?.id)
        return id
    }
}
