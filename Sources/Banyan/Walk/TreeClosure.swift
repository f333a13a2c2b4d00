/// Everything some root trees reach, read in place (`TreeEntryScan`)
/// without reading blobs, with the object found at each path (the first
/// root's wins): what a receiver holding those trees' commits has, which a
/// walk passes over (`TreeWalk(excluded:)`), and the versions a thin pack
/// may store deltas against. Shared by bundles and upload-pack and push.
package struct TreeClosure {
    /// Every tree and blob reached.
    package var ids = ObjectIDSet()
    /// The object at each path (`""` for a root), when asked for.
    package var paths: [String: ObjectID]?
    private let algorithm: HashAlgorithm

    /// An empty closure over objects hashed with `algorithm`; `paths` keeps
    /// the object at each path.
    package init(algorithm: HashAlgorithm, paths: Bool) {
        self.algorithm = algorithm
        self.paths = paths ? [:] : nil
    }

    /// Adds `tree` and everything under it; `read` gives a tree's body.
    ///
    /// Throws `corruptObject` for a tree entry that does not parse, and
    /// what `read` throws.
    package mutating func add(tree: ObjectID, read: (ObjectID) throws -> [UInt8]) throws {
        var stack: [(id: ObjectID, path: String)] = [(tree, "")]
        while let (id, path) = stack.popLast() {
            record(id, at: path)
            guard ids.insert(id) else { continue }
            try TreeEntryScan.forEach(try read(id), of: id, algorithm: algorithm) { entry in
                switch entry.kind {
                case .gitlink: return
                case .tree: stack.append((entry.id, TreeWalk.path(path, entry.name)))
                case .blob:
                    if paths != nil { record(entry.id, at: TreeWalk.path(path, entry.name)) }
                    ids.insert(entry.id)
                }
            }
        }
    }

    private mutating func record(_ id: ObjectID, at path: String) {
        if paths != nil, paths![path] == nil { paths![path] = id }
    }
}
