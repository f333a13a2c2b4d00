/// Collects the objects reachable from roots, each once, with its kind,
/// size and the path it was first found at: what `PackWriter` needs to plan
/// a pack (it groups delta candidates by path) before it loads bodies again.
/// The walk of gc, `count-objects` style sweeps and bundles.
///
/// Commits and tags come first, in walk order, then trees and blobs in the
/// order the commits' trees reach them (`git rev-list --objects` order,
/// which keeps one commit's objects together in the pack): commits chosen
/// by `CommitWalk`, trees and blobs walked by `TreeWalk`.
///
/// Cost: reads every object it collects once, keeping only its id, kind,
/// size and path; decodes commits and tags, scans trees in place.
/// Iterative, so deep histories do not exhaust the stack.
struct ObjectGraphWalk {
    /// One collected object; its `nameHint` is the path of a tree or blob
    /// (`""` for a root tree), nil when it was reached otherwise.
    typealias Found = PackWriter.Source

    /// What to do about an object that is referenced but absent.
    typealias Missing = CommitWalk.Missing

    let store: any ObjectStore
    private let algorithm: HashAlgorithm
    /// The walk of trees and blobs, whose `seen` holds every id visited, collected or not.
    private var trees: TreeWalk
    /// Commits and tags, in walk order.
    private(set) var history: [Found] = []
    /// Trees and blobs, in walk order.
    private(set) var contents: [Found] = []
    /// Objects found missing under `.skip`.
    private(set) var missingCount = 0

    /// A walk over `store` that treats `known` as visited already (not entered, not collected).
    init(store: any ObjectStore, known: ObjectIDSet = ObjectIDSet()) {
        self.store = store
        algorithm = store.hashAlgorithm
        trees = TreeWalk(algorithm: algorithm, excluded: known)
    }

    /// A walk over `store` that treats `known` as visited already.
    init(store: any ObjectStore, known: some Sequence<ObjectID>) {
        var set = ObjectIDSet()
        for id in known { set.insert(id) }
        self.init(store: store, known: set)
    }

    /// Every id visited, collected or not.
    var seen: ObjectIDSet { trees.seen }

    /// Everything collected, commits and tags first.
    var found: [Found] { history + contents }

    /// Collects what `root` reaches and has not been visited.
    ///
    /// Throws `objectNotFound` for a missing object under `.fail`,
    /// `corruptObject` for a commit or tag that does not decode or a tree
    /// entry that does not parse.
    mutating func add(_ root: ObjectID, missing: Missing) throws {
        var commits: [ObjectID] = []
        var directTrees: [ObjectID] = []
        var pending: [ObjectID] = [root]
        // Tags and whatever they point at, until commits, trees or blobs.
        while let id = pending.popLast() {
            guard !trees.seen.contains(id) else { continue }
            guard let object = try read(id, missing) else {
                trees.seen.insert(id)
                continue
            }
            switch object.kind {
            case .tag:
                trees.seen.insert(id)
                history.append(Found(id: id, kind: .tag, size: object.body.count))
                pending.append(try Tag(decoding: object.body, algorithm: algorithm).object)
            case .commit:
                commits.append(id)
            case .tree:
                directTrees.append(id)
            case .blob:
                trees.seen.insert(id)
                contents.append(Found(id: id, kind: .blob, size: object.body.count))
            }
        }
        var commitWalk = CommitWalk(store: store)
        var walked: [Found] = []
        var rootTrees: [ObjectID] = []
        try commitWalk.walk(from: commits, missing: missing, visited: &trees.seen) { id, object, commit in
            walked.append(Found(id: id, kind: .commit, size: object.body.count))
            rootTrees.append(commit.tree)
        }
        history += walked
        missingCount += commitWalk.missingCount
        // A tree reached without a commit has no path; what is under it is named from it.
        for id in directTrees { try addTree(id, missing, rootHint: nil) }
        for id in rootTrees { try addTree(id, missing, rootHint: "") }
    }

    /// Collects the tree `root` and what it reaches, the root named `rootHint`.
    private mutating func addTree(_ root: ObjectID, _ missing: Missing, rootHint: String?) throws {
        let store = store
        var added: [Found] = []
        var missed = 0
        defer {
            contents += added
            missingCount += missed
        }
        try trees.add(root, kind: .tree, path: "") { id, _, path in
            guard let object = try CommitWalk.read(id, from: store, missing, missed: &missed) else { return nil }
            added.append(Found(id: id, kind: object.kind, size: object.body.count, nameHint: id == root ? rootHint : path))
            return object.kind == .tree ? object.body : nil
        }
    }

    private mutating func read(_ id: ObjectID, _ missing: Missing) throws -> RawObject? {
        try CommitWalk.read(id, from: store, missing, missed: &missingCount)
    }
}
