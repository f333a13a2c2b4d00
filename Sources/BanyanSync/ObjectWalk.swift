import Banyan

/// Decides which objects one side of a transfer sends: everything reachable
/// from `wants` that is not reachable from `haves`, as `git rev-list --objects
/// wants --not haves` does, with optional depth limits and thin-pack bases.
///
/// Cost: one walk of the history reachable from `haves` (to know what the
/// receiver has), then a walk of the new commits and of the trees they and
/// their boundary commits hold. Objects are loaded into memory.
public struct ObjectWalk: Sendable {
    /// What to pack.
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

    /// The repository objects come from.
    public let repository: Repository
    /// The most thin-pack bases to load (each is a whole object in memory).
    public var maxBases = 4096

    /// A walk over `repository`.
    public init(repository: Repository) {
        self.repository = repository
    }

    /// Plans what to send for `wants` to a receiver that has `haves`.
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
    /// - Throws: `objectNotFound` when a want is not in the repository.
    public func plan(
        wants: [ObjectID], haves: [ObjectID], depth: Int? = nil, receiverShallow: Set<ObjectID> = [],
        deepenRelative: Bool = false, thin: Bool = false, includeTags: [ObjectID] = []
    ) throws -> Plan {
        let objects = repository.objects
        let known = try haves.filter { try objects.contains($0) }
        let knownCommits = known.compactMap { try? repository.peelToCommit($0) }
        let excludedCommits = try ancestors(of: knownCommits, stoppingAt: receiverShallow)

        var items: [PackWriter.Item] = []
        var sent = Set<ObjectID>()
        var queue: [(id: ObjectID, level: Int, limit: Int?)] = []
        var rootTrees: [ObjectID] = []
        for want in wants {
            try peelWant(want, items: &items, sent: &sent, roots: &rootTrees) { queue.append(($0, 1, depth)) }
        }
        if let depth, deepenRelative {
            for id in receiverShallow.sorted() { queue.append((id, 1, depth + 1)) }
            for index in queue.indices where !receiverShallow.contains(queue[index].id) { queue[index].limit = nil }
        }

        var shallow: [ObjectID] = []
        var unshallow: [ObjectID] = []
        var edges = Set<ObjectID>(knownCommits)
        var visited = Set<ObjectID>()
        var commitCount = 0
        var head = 0
        while head < queue.count {
            let (id, level, limit) = queue[head]
            head += 1
            let excluded = excludedCommits.contains(id)
            // Without a depth limit the receiver's history ends the walk; with
            // one, the walk goes through it to count generations.
            if excluded, limit == nil, !receiverShallow.contains(id) || depth == nil { continue }
            guard visited.insert(id).inserted else { continue }
            let raw = try objects.get(id, kind: .commit)
            let commit = try Commit(decoding: raw.body, algorithm: repository.hashAlgorithm)
            if !excluded, sent.insert(id).inserted {
                items.append(PackWriter.Item(raw, id: id))
                rootTrees.append(commit.tree)
                commitCount += 1
            }
            if let limit, level >= limit {
                if !commit.parents.isEmpty, !excluded || receiverShallow.contains(id) { shallow.append(id) }
                continue
            }
            if receiverShallow.contains(id) {
                guard depth != nil else { continue }
                unshallow.append(id)
            }
            for parent in commit.parents {
                if excludedCommits.contains(parent), limit == nil { edges.insert(parent) } else { queue.append((parent, level + 1, limit)) }
            }
        }
        shallow.removeAll { receiverShallow.contains($0) }

        var boundaryByPath: [String: ObjectID] = [:]
        var boundary = Set<ObjectID>()
        for edge in edges {
            guard let raw = try objects.find(edge), raw.kind == .commit else { continue }
            let tree = try Commit(decoding: raw.body, algorithm: repository.hashAlgorithm).tree
            // The receiver has these; what we cannot read here we simply send.
            try? collectTree(tree, path: "", into: &boundary, byPath: &boundaryByPath)
        }

        var bases: [ObjectID: RawObject] = [:]
        for root in rootTrees {
            try addTree(root, path: "", skip: boundary, items: &items, sent: &sent) { path, id in
                guard thin, bases.count < maxBases, let base = boundaryByPath[path], base != id,
                      bases[base] == nil, let object = try objects.find(base) else { return }
                bases[base] = object
            }
        }
        for tag in includeTags where !sent.contains(tag) {
            guard let raw = try objects.find(tag), raw.kind == .tag else { continue }
            let target = try Tag(decoding: raw.body, algorithm: repository.hashAlgorithm).object
            if sent.contains(target) {
                sent.insert(tag)
                items.append(PackWriter.Item(raw, id: tag))
            }
        }
        return Plan(items: items, bases: bases, shallow: shallow, unshallow: unshallow, commitCount: commitCount)
    }

    /// Every commit reachable from `tips` (tips included), not going past the commits in `stops`.
    public func ancestors(of tips: [ObjectID], stoppingAt stops: Set<ObjectID> = []) throws -> Set<ObjectID> {
        var seen = Set<ObjectID>()
        var stack = tips
        while let id = stack.popLast() {
            guard seen.insert(id).inserted, !stops.contains(id),
                  let raw = try repository.objects.find(id), raw.kind == .commit else { continue }
            stack.append(contentsOf: try Commit(decoding: raw.body, algorithm: repository.hashAlgorithm).parents)
        }
        return seen
    }

    /// Follows tags from a want down to a commit (queued) or a tree/blob (queued as a root).
    private func peelWant(
        _ want: ObjectID, items: inout [PackWriter.Item], sent: inout Set<ObjectID>, roots: inout [ObjectID],
        commit: (ObjectID) -> Void
    ) throws {
        var id = want
        for _ in 0..<16 {
            let raw = try repository.objects.get(id)
            switch raw.kind {
            case .commit: commit(id); return
            case .tree, .blob: roots.append(id); return
            case .tag:
                if sent.insert(id).inserted { items.append(PackWriter.Item(raw, id: id)) }
                id = try Tag(decoding: raw.body, algorithm: repository.hashAlgorithm).object
            }
        }
        throw BanyanError(.corruptObject, "tag \(want) nests more than 16 deep")
    }

    /// Records every tree and blob under `tree` as present on the receiver.
    private func collectTree(_ tree: ObjectID, path: String, into set: inout Set<ObjectID>, byPath: inout [String: ObjectID]) throws {
        byPath[path] = tree
        guard set.insert(tree).inserted else { return }
        for entry in try repository.tree(tree).entries where entry.mode != .gitlink {
            let child = path.isEmpty ? entry.nameString : path + "/" + entry.nameString
            if entry.mode.isDirectory {
                try collectTree(entry.id, path: child, into: &set, byPath: &byPath)
            } else {
                byPath[child] = entry.id
                set.insert(entry.id)
            }
        }
    }

    /// Adds `tree` (or a blob) and everything under it that the receiver lacks.
    private func addTree(
        _ id: ObjectID, path: String, skip: Set<ObjectID>, items: inout [PackWriter.Item], sent: inout Set<ObjectID>,
        onNew: (String, ObjectID) throws -> Void
    ) throws {
        guard !skip.contains(id), sent.insert(id).inserted else { return }
        let raw = try repository.objects.get(id)
        items.append(PackWriter.Item(raw, id: id, nameHint: path))
        try onNew(path, id)
        guard raw.kind == .tree else { return }
        for entry in try Tree(decoding: raw.body, algorithm: repository.hashAlgorithm).entries where entry.mode != .gitlink {
            let child = path.isEmpty ? entry.nameString : path + "/" + entry.nameString
            try addTree(entry.id, path: child, skip: skip, items: &items, sent: &sent, onNew: onNew)
        }
    }
}
