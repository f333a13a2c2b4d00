/// Collects the objects reachable from roots, each once, with its kind,
/// size and the path it was first found at: what `PackWriter` needs to plan
/// a pack (it groups delta candidates by path) before it loads bodies again.
///
/// Commits and tags come first, in walk order, then trees and blobs in the
/// order the commits' trees reach them (`git rev-list --objects` order,
/// which keeps one commit's objects together in the pack).
///
/// Cost: reads every object it collects once, keeping only its id, kind,
/// size and path; decodes commits, trees and tags. Iterative, so deep
/// histories do not exhaust the stack.
struct ObjectGraphWalk {
    /// One collected object; its `nameHint` is the path of a tree or blob
    /// (`""` for a root tree), nil when it was reached otherwise.
    typealias Found = PackWriter.Source

    /// What to do about an object that is referenced but absent.
    enum Missing {
        /// Throw `objectNotFound`, naming where the walk came from.
        case fail(origin: String)
        /// Leave it out and go on (reflog entries and recent unreferenced objects may point at pruned history).
        case skip
    }

    let store: any ObjectStore
    private let algorithm: HashAlgorithm
    /// Every id visited, collected or not.
    private(set) var seen: Set<ObjectID>
    /// Commits and tags, in walk order.
    private(set) var history: [Found] = []
    /// Trees and blobs, in walk order.
    private(set) var contents: [Found] = []
    /// Objects found missing under `.skip`.
    private(set) var missingCount = 0

    /// A walk over `store` that treats `known` as visited already (not entered, not collected).
    init(store: any ObjectStore, known: Set<ObjectID> = []) {
        self.store = store
        algorithm = store.hashAlgorithm
        seen = known
    }

    /// Everything collected, commits and tags first.
    var found: [Found] { history + contents }

    /// Collects what `root` reaches and has not been visited.
    ///
    /// Throws `objectNotFound` for a missing object under `.fail`,
    /// `corruptObject` for one that does not decode.
    mutating func add(_ root: ObjectID, missing: Missing) throws {
        var commits: [ObjectID] = []
        var directTrees: [ObjectID] = []
        var pending: [ObjectID] = [root]
        // Tags and whatever they point at, until commits, trees or blobs.
        while let id = pending.popLast() {
            guard seen.insert(id).inserted, let object = try read(id, missing) else { continue }
            switch object.kind {
            case .tag:
                history.append(Found(id: id, kind: .tag, size: object.body.count))
                pending.append(try Tag(decoding: object.body, algorithm: algorithm).object)
            case .commit:
                seen.remove(id)
                commits.append(id)
            case .tree:
                seen.remove(id)
                directTrees.append(id)
            case .blob:
                contents.append(Found(id: id, kind: .blob, size: object.body.count))
            }
        }
        var rootTrees: [ObjectID] = []
        while let id = commits.popLast() {
            guard seen.insert(id).inserted, let object = try read(id, missing) else { continue }
            let commit = try Commit(decoding: object.body, algorithm: algorithm)
            history.append(Found(id: id, kind: .commit, size: object.body.count))
            rootTrees.append(commit.tree)
            commits.append(contentsOf: commit.parents.reversed())
        }
        // A stack: what comes next is at the end, so depth-first in tree order.
        var trees: [(id: ObjectID, path: String?)] = rootTrees.reversed().map { ($0, "") } + directTrees.reversed().map { ($0, nil) }
        while let (id, path) = trees.popLast() {
            guard seen.insert(id).inserted, let object = try read(id, missing) else { continue }
            contents.append(Found(id: id, kind: object.kind, size: object.body.count, nameHint: path))
            guard object.kind == .tree else { continue }
            let tree = try Tree(decoding: object.body, algorithm: algorithm)
            for entry in tree.entries.reversed() where entry.mode != .gitlink && !seen.contains(entry.id) {
                let name = entry.nameString
                trees.append((entry.id, path.map { $0.isEmpty ? name : $0 + "/" + name } ?? name))
            }
        }
    }

    private mutating func read(_ id: ObjectID, _ missing: Missing) throws -> RawObject? {
        if let object = try store.find(id) { return object }
        switch missing {
        case .fail(let origin):
            throw BanyanError(.objectNotFound, "object \(id), reachable from \(origin), is missing")
        case .skip:
            missingCount += 1
            return nil
        }
    }
}
