/// The trees and blobs under some roots, each once, depth first in tree
/// order, with the path each was first found at: the tree-and-blob half of
/// `git rev-list --objects`, the one walk behind gc and bundles
/// (`ObjectGraphWalk`) and upload-pack and push (BanyanSync's `ObjectWalk`).
///
/// Trees are read in place (`TreeEntryScan`): no decoded entry arrays, no
/// name copies but the paths of new objects. The tree last walked at each
/// path is kept: everything under it is walked or excluded already, so the
/// entries a new tree at that path shares with it need no look
/// (`TreeEntryScan.forEachChange`); most trees differ from their
/// predecessor in a few entries, which turns a probe per entry into a
/// compare of the shared bytes and a look at the rest. Iterative, so deep
/// trees do not exhaust the stack. Not thread-safe.
package struct TreeWalk {
    /// What the walk's user makes of one new object: its id, its kind as
    /// the tree entry that led to it says (the root's as given) and its
    /// path. Returns the body of a tree to go into, or nil for a blob, or
    /// an object to pass over (a missing one, say).
    package typealias Visit = (_ id: ObjectID, _ kind: ObjectKind, _ path: String) throws -> [UInt8]?

    /// Every id the walk entered, and those it must not enter (what the
    /// receiver has): an id in it is passed over, with what is under it.
    package var seen: ObjectIDSet
    private let algorithm: HashAlgorithm
    /// The tree last walked at each path.
    private var lastAtPath: [String: TreeEntryScan.Scanned] = [:]

    /// A walk over objects hashed with `algorithm` that passes over the ids in `excluded`.
    package init(algorithm: HashAlgorithm, excluded: ObjectIDSet = ObjectIDSet()) {
        self.algorithm = algorithm
        seen = excluded
    }

    /// Walks `root`, found at `path` as a `kind`, and everything under it
    /// not seen yet; `visit` hears of each new object, in walk order.
    ///
    /// Throws `corruptObject` for a tree entry that does not parse (a mode
    /// git does not read, no name, a truncated id), and what `visit` throws.
    package mutating func add(_ root: ObjectID, kind: ObjectKind, path: String, visit: Visit) throws {
        // A stack: what comes next is at the end, so depth first in tree order.
        var stack: [(id: ObjectID, kind: ObjectKind, path: String)] = [(root, kind, path)]
        var children: [(id: ObjectID, kind: ObjectKind, path: String)] = []
        while let (id, kind, path) = stack.popLast() {
            guard seen.insert(id), let body = try visit(id, kind, path) else { continue }
            children.removeAll(keepingCapacity: true)
            let scanned = try TreeEntryScan.forEachChange(body, of: id, since: lastAtPath[path], algorithm: algorithm) { entry in
                guard !self.seen.contains(entry.id) else { return }
                children.append((entry.id, entry.kind == .tree ? .tree : .blob, Self.path(path, entry.name)))
            }
            lastAtPath[path] = scanned
            stack += children.reversed()
        }
    }

    /// `parent/name`, or `name` at the root.
    static func path(_ parent: String, _ name: UnsafeRawBufferPointer) -> String {
        let name = String(decoding: name, as: UTF8.self)
        return parent.isEmpty ? name : parent + "/" + name
    }
}
