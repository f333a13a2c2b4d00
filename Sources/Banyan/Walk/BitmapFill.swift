/// The objects reachable from some commits, as a set of bits over one pack
/// (pack order) plus a list of the objects that pack lacks: Git's
/// `find_objects` for reachability bitmaps. Where a commit has a stored
/// bitmap, its whole history is one union; elsewhere commits are walked
/// and their trees read, skipping every object whose bit is set already.
///
/// The rule that makes skipping right: a bit is set only for an object
/// whose whole closure is in the set or about to be (a stored bitmap's
/// objects, or an object this fill has queued to read), so the pack must
/// be closed under reachability, as a bitmapped pack is.
///
/// Used by gc to compute the bitmaps it writes (with `outsideAllowed`
/// false: an object outside the pack means the pack is not closed) and by
/// upload-pack to select what a fetch sends. Not thread-safe.
package struct BitmapFill {
    /// An object reached that the pack lacks.
    package struct Outside: Sendable {
        /// Its id.
        package var id: ObjectID
        /// What it was reached as.
        package var kind: ObjectKind
        /// The path it was first met at, for delta search's name hint (empty for commits and root trees).
        package var path: String
    }

    /// The tree read last at each path, kept across fills (gc's builder
    /// fills one bitmap after another, oldest first): a tree whose bit is
    /// set vouches for its entries, so a new version at its path is read
    /// only where it differs (`TreeEntryScan.forEachChange`).
    package final class TreeMemory {
        fileprivate var last: [String: (id: ObjectID, scanned: TreeEntryScan.Scanned)] = [:]

        /// An empty memory.
        package init() {}
    }

    private let store: any ObjectStore
    private let memory: TreeMemory?
    private let bit: (ObjectID) -> Int?
    private let stored: (ObjectID) throws -> BitSet?
    private let outsideAllowed: Bool
    /// The objects of the pack reached so far.
    package private(set) var set: BitSet
    /// The objects reached that the pack lacks, in the order met.
    package private(set) var outside: [Outside] = []
    private var outsideSeen = ObjectIDSet()

    /// A fill over a pack of `count` objects: `bit` gives an object's bit
    /// (nil outside the pack), `stored` a commit's stored bitmap (nil
    /// without one). With `outsideAllowed` false, reaching an object the
    /// pack lacks throws `invalidArgument`. `memory`, when given, lets
    /// trees be read only where they changed since the last read at their path.
    package init(store: any ObjectStore, count: Int, outsideAllowed: Bool, memory: TreeMemory? = nil,
                 bit: @escaping (ObjectID) -> Int?, stored: @escaping (ObjectID) throws -> BitSet?) {
        self.store = store
        self.memory = memory
        self.bit = bit
        self.stored = stored
        self.outsideAllowed = outsideAllowed
        set = BitSet(count: count)
    }

    /// Adds everything reachable from `commits`.
    ///
    /// Throws `objectNotFound` for a missing commit or tree, `corruptObject`
    /// for one that does not decode or is of another kind, and
    /// `invalidArgument` for an object outside the pack when not allowed.
    package mutating func add(commits: [ObjectID]) throws {
        var pending = commits
        var trees: [ObjectID] = []
        while let id = pending.popLast() {
            if let bit = bit(id) {
                if set.contains(bit) { continue }
                if let history = try stored(id) {
                    set.formUnion(history)
                    continue
                }
                set.insert(bit)
            } else if try !enterOutside(id, kind: .commit, path: "") {
                continue
            }
            let object = try read(id, as: .commit)
            let commit = try Commit(decoding: object.body, algorithm: store.hashAlgorithm)
            trees.append(commit.tree)
            pending += commit.parents
        }
        // After the commits, so trees the stored bitmaps hold are skipped;
        // oldest first, so that with `memory` each tree is compared with the
        // version before it.
        for tree in trees.reversed() { try add(tree: tree) }
    }

    /// Adds `root` and everything under it.
    package mutating func add(tree root: ObjectID) throws {
        var pending: [(id: ObjectID, path: String)] = [(root, "")]
        while let (id, path) = pending.popLast() {
            if let bit = bit(id) {
                guard set.insert(bit) else { continue }
            } else if try !enterOutside(id, kind: .tree, path: path) {
                continue
            }
            let body = try read(id, as: .tree).body
            // The tree read last here vouches for the entries it shares with
            // this one when its bit is set. Not when it is this very tree
            // (read in an earlier fill): its bit was set just above.
            let reference = memory?.last[path].flatMap { last in
                last.id != id && bit(last.id).map(set.contains) == true ? last.scanned : nil
            }
            let scanned = try TreeEntryScan.forEachChange(body, of: id, since: reference, algorithm: store.hashAlgorithm) { entry in
                switch entry.kind {
                case .tree:
                    pending.append((entry.id, memory != nil || bit(entry.id) == nil ? Self.join(path, entry.name) : ""))
                case .blob:
                    if let bit = bit(entry.id) {
                        set.insert(bit)
                    } else {
                        _ = try enterOutside(entry.id, kind: .blob, path: Self.join(path, entry.name))
                    }
                case .gitlink:
                    break
                }
            }
            memory?.last[path] = (id, scanned)
        }
    }

    /// Records an object outside the pack; false when it was met before.
    private mutating func enterOutside(_ id: ObjectID, kind: ObjectKind, path: String) throws -> Bool {
        guard outsideAllowed else {
            throw BanyanError(.invalidArgument, "\(kind) \(id) is reachable from the pack's commits but not in the pack")
        }
        guard outsideSeen.insert(id) else { return false }
        outside.append(Outside(id: id, kind: kind, path: path))
        return true
    }

    private func read(_ id: ObjectID, as kind: ObjectKind) throws -> RawObject {
        guard let object = try store.find(id) else {
            throw BanyanError(.objectNotFound, "\(kind) \(id) is missing")
        }
        guard object.kind == kind else {
            throw BanyanError(.corruptObject, "object \(id) is a \(object.kind), expected a \(kind)")
        }
        return object
    }

    private static func join(_ path: String, _ name: UnsafeRawBufferPointer) -> String {
        let name = String(decoding: name, as: UTF8.self)
        return path.isEmpty ? name : path + "/" + name
    }
}
