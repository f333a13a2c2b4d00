/// The commit half of `git rev-list`: the commits reachable from some tips
/// and not from the excluded ones, each once, generation by generation
/// from the tips (breadth first), with git's depth limits of a shallow
/// transfer and the boundary where the walk met the excluded history. The
/// one commit selection behind gc and bundles (`ObjectGraphWalk`) and
/// upload-pack and push (BanyanSync's `ObjectWalk`).
///
/// The caller owns the set of visited ids (`walk(from:…visited:)`), so a
/// walk that collects trees and blobs too keeps one set for every kind.
///
/// Cost: one read and one decode per commit entered. Iterative, so deep
/// histories do not exhaust the stack. Not thread-safe.
package struct CommitWalk {
    /// What to do about a commit that is referenced but absent.
    package enum Missing {
        /// Throw `objectNotFound`, naming where the walk came from.
        case fail(origin: String)
        /// Leave it out and go on (reflog entries and recent unreferenced objects may point at pruned history).
        case skip
    }

    private let store: any ObjectStore
    private let algorithm: HashAlgorithm
    /// The history the other side has: not selected, and not entered
    /// unless a depth limit counts generations through it.
    package var excluded: Set<ObjectID> = []
    /// Commits the other side has without their parents: the walk does not
    /// go past them unless `depth` is set (a deepening fetch).
    package var receiverShallow: Set<ObjectID> = []
    /// When set, commits more than `depth` generations from a tip are left
    /// out, and the last ones kept are reported in `shallow`.
    package var depth: Int?
    /// Count `depth` from `receiverShallow` rather than from the tips.
    package var deepenRelative = false

    /// Excluded commits that a selected commit has as a parent, each once, in the order met.
    package private(set) var boundary: [ObjectID] = []
    /// Selected commits whose parents a depth limit cut off.
    package private(set) var shallow: [ObjectID] = []
    /// Commits in `receiverShallow` that this walk deepens past.
    package private(set) var unshallow: [ObjectID] = []
    /// Commits found missing under `.skip`.
    package private(set) var missingCount = 0
    private var boundarySeen = Set<ObjectID>()

    /// A walk over the commits of `store`.
    package init(store: any ObjectStore) {
        self.store = store
        algorithm = store.hashAlgorithm
    }

    /// Walks from `tips` (commit ids), calling `select` with each commit
    /// entered that is not excluded, in walk order: newest generation first.
    ///
    /// `visited` holds every id entered; an id in it already is passed over
    /// with its ancestors, so several walks sharing one set each find only
    /// what the ones before did not.
    ///
    /// Throws `objectNotFound` for a missing commit under `.fail`,
    /// `corruptObject` for an object reached as a commit that is not one or
    /// does not decode, and what `select` throws.
    package mutating func walk(
        from tips: [ObjectID], missing: Missing, visited: inout ObjectIDSet,
        select: (_ id: ObjectID, _ object: RawObject, _ commit: Commit) throws -> Void
    ) throws {
        var queue: [(id: ObjectID, level: Int, limit: Int?)] = tips.map { ($0, 1, depth) }
        if let depth, deepenRelative {
            for id in receiverShallow.sorted() { queue.append((id, 1, depth + 1)) }
            for index in queue.indices where !receiverShallow.contains(queue[index].id) { queue[index].limit = nil }
        }
        var head = 0
        while head < queue.count {
            let (id, level, limit) = queue[head]
            head += 1
            let isExcluded = excluded.contains(id)
            // Without a depth limit the other side's history ends the walk;
            // with one, the walk goes through it to count generations.
            if isExcluded, limit == nil, !receiverShallow.contains(id) || depth == nil { continue }
            guard visited.insert(id), let object = try read(id, missing) else { continue }
            guard object.kind == .commit else {
                throw BanyanError(.corruptObject, "object \(id) is a \(object.kind), expected a commit")
            }
            let commit = try Commit(decoding: object.body, algorithm: algorithm)
            if !isExcluded { try select(id, object, commit) }
            if let limit, level >= limit {
                if !commit.parents.isEmpty, !isExcluded || receiverShallow.contains(id) { shallow.append(id) }
                continue
            }
            if receiverShallow.contains(id) {
                guard depth != nil else { continue }
                unshallow.append(id)
            }
            for parent in commit.parents {
                if excluded.contains(parent), limit == nil {
                    if boundarySeen.insert(parent).inserted { boundary.append(parent) }
                } else {
                    queue.append((parent, level + 1, limit))
                }
            }
        }
        shallow.removeAll { receiverShallow.contains($0) }
    }

    /// Every commit reachable from `tips` (tips included) in `store`, not
    /// going past the commits in `stops`; ids that are not commits here
    /// (absent, or another kind) are kept but not followed.
    ///
    /// Throws `corruptObject` for a commit that does not decode.
    package static func ancestors(of tips: [ObjectID], in store: any ObjectStore, stoppingAt stops: Set<ObjectID> = []) throws -> Set<ObjectID> {
        var seen = Set<ObjectID>()
        var stack = tips
        while let id = stack.popLast() {
            guard seen.insert(id).inserted, !stops.contains(id),
                  let object = try store.find(id), object.kind == .commit else { continue }
            stack += try Commit(decoding: object.body, algorithm: store.hashAlgorithm).parents
        }
        return seen
    }

    private mutating func read(_ id: ObjectID, _ missing: Missing) throws -> RawObject? {
        try Self.read(id, from: store, missing, missed: &missingCount)
    }

    /// The object `id` from `store`; nil, counted in `missed`, when it is
    /// missing under `.skip`.
    package static func read(_ id: ObjectID, from store: any ObjectStore, _ missing: Missing, missed: inout Int) throws -> RawObject? {
        if let object = try store.find(id) { return object }
        switch missing {
        case .fail(let origin):
            throw BanyanError(.objectNotFound, "object \(id), reachable from \(origin), is missing")
        case .skip:
            missed += 1
            return nil
        }
    }
}
