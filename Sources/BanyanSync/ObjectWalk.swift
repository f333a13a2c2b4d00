import Banyan

/// Decides which objects one side of a transfer sends: everything reachable
/// from `wants` that is not reachable from `haves`, as `git rev-list --objects
/// wants --not haves` does, with optional depth limits and thin-pack bases.
///
/// With a reachability bitmap (gc writes one), a clone or a fetch that
/// needs no thin pack is answered from it instead (`selectWithBitmaps`).
///
/// Cost: one walk of the history reachable from `haves` (to know what the
/// receiver has), then a walk of the new commits and of the trees they and
/// their boundary commits hold (Banyan's `CommitWalk`, `TreeClosure` and
/// `TreeWalk`, the walks gc and bundles use). Trees are read in place (no decoded entry
/// arrays) and each entry costs one probe of a set of ids; blobs are never
/// read. `select` returns ids only; `plan` loads the objects too.
public struct ObjectWalk: Sendable {
    /// What to pack, with every object loaded.
    public struct Plan: Sendable {
        /// The objects to send, each with the path it was found at.
        public var items: [PackWriter.Item]
        /// Objects the receiver has that deltas may use (a thin pack).
        public var bases: [ObjectID: RawObject]
        /// Commits sent without their parents (a depth limit cut there).
        public var shallow: [ObjectID]
        /// Commits the receiver had without parents that now get them.
        public var unshallow: [ObjectID]
        /// How many commits the plan holds.
        public var commitCount: Int
    }

    /// One object to send, not loaded.
    public struct Selected: Sendable {
        /// The object's id.
        public var id: ObjectID
        /// Its kind, as the walk met it (a tree entry's mode says blob or tree).
        public var kind: ObjectKind
        /// The path it was found at (empty for commits, tags and root trees).
        public var path: String

        /// The path as a pack writer's name hint: none for commits and tags.
        public var nameHint: String? { kind == .commit || kind == .tag ? nil : path }
    }

    /// What to pack, as ids: what `plan` returns before loading anything.
    public struct Selection: Sendable {
        /// The objects to send in walk order: tags, commits, then each new root tree depth first.
        public var objects: [Selected]
        /// Objects the receiver has that deltas may use (a thin pack), at most `maxBases`.
        public var bases: [ObjectID]
        /// Commits sent without their parents (a depth limit cut there).
        public var shallow: [ObjectID]
        /// Commits the receiver had without parents that now get them.
        public var unshallow: [ObjectID]
        /// How many commits the selection holds.
        public var commitCount: Int
    }

    /// The repository objects come from.
    public let repository: Repository
    /// The most thin-pack bases to load (each is a whole object in memory).
    public var maxBases = 4096

    /// A walk over `repository`.
    public init(repository: Repository) {
        self.repository = repository
    }

    /// Plans what to send for `wants` to a receiver that has `haves`, with
    /// every object loaded; see `select` for the parameters and errors.
    public func plan(
        wants: [ObjectID], haves: [ObjectID], depth: Int? = nil, receiverShallow: Set<ObjectID> = [],
        deepenRelative: Bool = false, thin: Bool = false, includeTags: [ObjectID] = []
    ) throws -> Plan {
        let selection = try select(wants: wants, haves: haves, depth: depth, receiverShallow: receiverShallow,
                                   deepenRelative: deepenRelative, thin: thin, includeTags: includeTags)
        let objects = repository.objects
        let items = try selection.objects.map {
            PackWriter.Item(try objects.get($0.id), id: $0.id, nameHint: $0.nameHint)
        }
        var bases: [ObjectID: RawObject] = [:]
        for id in selection.bases { bases[id] = try objects.find(id) }
        return Plan(items: items, bases: bases, shallow: selection.shallow, unshallow: selection.unshallow,
                    commitCount: selection.commitCount)
    }

    /// Selects what to send for `wants` to a receiver that has `haves`,
    /// without loading blobs or keeping any object.
    ///
    /// - Parameters:
    ///   - wants: the commits (or tags, trees, blobs) the receiver asked for.
    ///   - haves: objects the receiver says it has; ones this repository lacks are ignored.
    ///   - depth: when set, commits more than `depth` generations from a
    ///     want are left out and the last kept ones reported as shallow.
    ///   - receiverShallow: commits the receiver has without parents; the
    ///     walk does not go past them unless deepening.
    ///   - deepenRelative: count `depth` from `receiverShallow` rather than from the wants.
    ///   - thin: collect bases the receiver has for deltas.
    ///   - includeTags: also send annotated tags (from `tags`) that point at sent objects.
    ///   - filter: trees and blobs to leave out (a partial clone's); what
    ///     `wants` names itself is sent all the same. A blob size limit
    ///     reads each blob the walk meets to learn its size.
    /// - Throws: `objectNotFound` when a want, commit or tree is not in the
    ///   repository (a missing blob is found when the pack is written),
    ///   `corruptObject` for a tree that does not parse.
    public func select(
        wants: [ObjectID], haves: [ObjectID], depth: Int? = nil, receiverShallow: Set<ObjectID> = [],
        deepenRelative: Bool = false, thin: Bool = false, includeTags: [ObjectID] = [], filter: ObjectFilter? = nil
    ) throws -> Selection {
        if let answered = try selectWithBitmaps(wants: wants, haves: haves, depth: depth, receiverShallow: receiverShallow,
                                                deepenRelative: deepenRelative, thin: thin, includeTags: includeTags,
                                                filter: filter) {
            return answered
        }
        let objects = repository.objects
        let known = try haves.filter { try objects.contains($0) }
        let knownCommits = known.compactMap { try? repository.peelToCommit($0) }

        var selected: [Selected] = []
        var sent = ObjectIDSet()
        var tips: [ObjectID] = []
        var roots: [(id: ObjectID, kind: ObjectKind)] = []
        for want in wants {
            try peelWant(want, selected: &selected, sent: &sent, roots: &roots) { tips.append($0) }
        }
        // The trees and blobs asked for by id come first in `roots`; a filter spares them.
        let explicitRoots = roots.count
        var commits = CommitWalk(store: objects)
        commits.excluded = try CommitWalk.ancestors(of: knownCommits, in: objects, stoppingAt: receiverShallow)
        commits.receiverShallow = receiverShallow
        commits.depth = depth
        commits.deepenRelative = deepenRelative
        var visited = ObjectIDSet()
        var commitCount = 0
        try commits.walk(from: tips, missing: .fail(origin: "the objects asked for"), visited: &visited) { id, _, commit in
            sent.insert(id)
            selected.append(Selected(id: id, kind: .commit, path: ""))
            roots.append((commit.tree, .tree))
            commitCount += 1
        }
        // The receiver has every commit it named and what the walk met of
        // its history; at a path, the first of them to hold one gives the base.
        var boundary = TreeClosure(algorithm: repository.hashAlgorithm, paths: thin)
        var edgesSeen = Set<ObjectID>()
        for edge in knownCommits + commits.boundary where edgesSeen.insert(edge).inserted {
            guard let raw = try objects.find(edge), raw.kind == .commit else { continue }
            let tree = try Commit(decoding: raw.body, algorithm: repository.hashAlgorithm).tree
            // The receiver has these; what we cannot read here we simply send.
            try? boundary.add(tree: tree) { try objects.get($0, kind: .tree).body }
        }

        var bases: [ObjectID] = []
        var baseSet = Set<ObjectID>()
        var walk = TreeWalk(algorithm: repository.hashAlgorithm, excluded: boundary.ids)
        // Oldest commit first: stores delta each new version of a tree on
        // the one before it, so this order finds every tree's base just read
        // (in the pack reader's base cache, and at the walk's last tree at
        // each path) where newest first would unwind a whole chain for each tree.
        // Trees and blobs asked for by id go first, so that a filter that
        // leaves them out where a commit holds them still sends them.
        let explicit = Set(roots.prefix(explicitRoots).map(\.id))
        for root in roots.prefix(explicitRoots) + roots.dropFirst(explicitRoots).reversed() {
            try walk.add(root.id, kind: root.kind, path: "") { id, kind, path in
                if let filter, !(path.isEmpty && explicit.contains(id)),
                   try filter.omits(kind: kind, depth: Self.depth(of: path), size: { try objects.get(id).body.count }) {
                    return nil
                }
                sent.insert(id)
                selected.append(Selected(id: id, kind: kind, path: path))
                if bases.count < maxBases, let base = boundary.paths?[path], base != id,
                   try objects.contains(base), baseSet.insert(base).inserted {
                    bases.append(base)
                }
                return kind == .tree ? try objects.get(id, kind: .tree).body : nil
            }
        }
        if let filter, !filter.sparseBlobs.isEmpty {
            // A blob stays when the patterns hold it at some path it has; the walk knows only the first.
            let commitRoots = roots.dropFirst(explicitRoots).map { (id: $0.id, path: [UInt8]()) }
            for blob in filter.sparseBlobs {
                let patterns = SparsePatterns(bytes: try sparsePatterns(blob))
                let held = try patterns.includedValues(under: commitRoots, skip: { boundary.ids.contains($0) }) {
                    try Tree(decoding: try objects.get($0, kind: .tree).body, algorithm: repository.hashAlgorithm).entries
                }
                selected.removeAll { $0.kind == .blob && !held.contains($0.id) && !explicit.contains($0.id) }
            }
        }
        for tag in includeTags where !sent.contains(tag) {
            guard let raw = try objects.find(tag), raw.kind == .tag else { continue }
            let target = try Tag(decoding: raw.body, algorithm: repository.hashAlgorithm).object
            if sent.contains(target) {
                sent.insert(tag)
                selected.append(Selected(id: tag, kind: .tag, path: ""))
            }
        }
        return Selection(objects: selected, bases: bases, shallow: commits.shallow, unshallow: commits.unshallow,
                         commitCount: commitCount)
    }

    /// The bytes of the blob a `sparse:oid=` filter names (an id or a revision such as `main:.sparse`).
    private func sparsePatterns(_ blob: String) throws -> [UInt8] {
        do {
            return try repository.objects.get(try repository.resolve(blob), kind: .blob).body
        } catch let error as BanyanError {
            throw BanyanError(.invalidArgument, "filter sparse:oid=\(blob) does not name a blob: \(error.message)")
        }
    }

    /// How many levels below its root tree an object at `path` is: 0 for the root, 1 for its entries.
    static func depth(of path: String) -> Int {
        path.isEmpty ? 0 : path.utf8.reduce(1) { $1 == UInt8(ascii: "/") ? $0 + 1 : $0 }
    }

    /// Follows tags from a want down to a commit (queued) or a tree/blob (queued as a root).
    func peelWant(
        _ want: ObjectID, selected: inout [Selected], sent: inout ObjectIDSet, roots: inout [(id: ObjectID, kind: ObjectKind)],
        commit: (ObjectID) -> Void
    ) throws {
        var id = want
        for _ in 0..<16 {
            let raw = try repository.objects.get(id)
            switch raw.kind {
            case .commit: commit(id); return
            case .tree, .blob: roots.append((id, raw.kind)); return
            case .tag:
                if sent.insert(id) { selected.append(Selected(id: id, kind: .tag, path: "")) }
                id = try Tag(decoding: raw.body, algorithm: repository.hashAlgorithm).object
            }
        }
        throw BanyanError(.corruptObject, "tag \(want) nests more than 16 deep")
    }
}
