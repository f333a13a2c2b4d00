import Banyan

/// Brings a received pack into a repository: indexes it (verifying every
/// object's hash and the trailer), checks each object against Git's fsck
/// rules (`FsckRules`), and only then stores the objects.
///
/// Nothing is written when any step fails, so a truncated or damaged pack
/// leaves the repository as it was. Storage goes through `store(_:in:)`
/// alone, so it can switch from loose objects to keeping the pack and its
/// index once the backend stores packs.
public enum PackIngest {
    /// What a pack brought.
    public struct Received: Sendable {
        /// The ids of the pack's objects, in pack order.
        public var ids: [ObjectID]
        /// The pack's size in bytes.
        public var byteCount: Int
    }

    /// Indexes, verifies and stores `pack`; REF_DELTA bases missing from the
    /// pack come from the repository (a thin pack).
    ///
    /// Throws `corruptObject` for a damaged or truncated pack or an object
    /// that fails Git's fsck rules, `limitExceeded` for an object over `maxObjectSize`.
    @discardableResult
    public static func ingest(_ pack: [UInt8], into repository: Repository, maxObjectSize: Int = 1 << 30) throws -> Received {
        let algorithm = repository.hashAlgorithm
        let objects = repository.objects
        let lookup: @Sendable (ObjectID) throws -> RawObject? = { try objects.find($0) }
        let indexed = try PackIndexer.index(pack: pack, algorithm: algorithm, maxObjectSize: maxObjectSize, baseLookup: lookup)
        let reader = try PackReader(pack: pack, index: try indexed.indexBytes(), algorithm: algorithm, baseLookup: lookup)
        var received: [ObjectID: (object: RawObject, references: [ObjectID])] = [:]
        received.reserveCapacity(indexed.entries.count)
        var attributes: [ObjectID] = []
        for entry in indexed.entries {
            let object = try reader.get(entry.id)
            let links = try checkReceived(object, id: entry.id, algorithm: algorithm)
            attributes += links.filter(\.isAttributes).map(\.id)
            received[entry.id] = (object, links.map(\.id))
        }
        for id in attributes {
            if let blob = received[id]?.object { try FsckRules.checkAttributes(blob, id: id) }
        }
        try store(dependencyOrder(indexed.entries.map(\.id), received), in: repository)
        return Received(ids: indexed.entries.map(\.id), byteCount: pack.count)
    }

    /// Checks that every object reachable from `tips` is present, walking
    /// only through objects in `received` (objects stored before are taken
    /// to be complete, as Git's connectivity check does).
    ///
    /// The parents of `shallow` commits are not followed. Throws
    /// `objectNotFound` naming the first missing object, `corruptObject` for
    /// an object of another kind than its referrer requires (a commit whose
    /// tree is a blob) or one that fails Git's fsck rules.
    public static func checkConnected(
        tips: [ObjectID], received: Set<ObjectID>, shallow: Set<ObjectID> = [], in repository: Repository
    ) throws {
        var seen = Set<ObjectID>()
        var stack: [(id: ObjectID, kind: ObjectKind?)] = tips.map { ($0, nil) }
        let algorithm = repository.hashAlgorithm
        while let (id, kind) = stack.popLast() {
            guard seen.insert(id).inserted else { continue }
            guard received.contains(id) else {
                guard try repository.objects.contains(id) else {
                    throw BanyanError(.objectNotFound, "object \(id) is referenced but was neither sent nor present")
                }
                continue
            }
            let raw = try repository.objects.get(id)
            if let kind, raw.kind != kind {
                throw BanyanError(.corruptObject, "object \(id) is a \(raw.kind) but is referenced as a \(kind)")
            }
            var links = try FsckRules.check(raw, id: id, algorithm: algorithm)
            if raw.kind == .commit && shallow.contains(id) { links.removeAll { $0.kind == .commit } }
            stack += links.map { ($0.id, $0.kind) }
        }
    }

    /// The objects with everything each refers to (within the pack) before
    /// it, so a reader that finds a commit or tree finds what it needs: a
    /// concurrent fetch offering it as a `have` never sees half of it.
    /// Iterative post-order walk, so long histories need no deep recursion.
    static func dependencyOrder(
        _ ids: [ObjectID], _ received: [ObjectID: (object: RawObject, references: [ObjectID])]
    ) -> [RawObject] {
        var ordered: [RawObject] = []
        ordered.reserveCapacity(ids.count)
        var state: [ObjectID: Bool] = [:]  // false: expanded, true: emitted
        for root in ids where state[root] == nil {
            var stack: [(id: ObjectID, expanded: Bool)] = [(root, false)]
            while let (id, expanded) = stack.popLast() {
                guard let entry = received[id] else { continue }
                if expanded {
                    if state[id] != true {
                        state[id] = true
                        ordered.append(entry.object)
                    }
                    continue
                }
                guard state[id] == nil else { continue }
                state[id] = false
                stack.append((id, true))
                for child in entry.references where state[child] == nil && received[child] != nil {
                    stack.append((child, false))
                }
            }
        }
        return ordered
    }

    /// Stores verified objects. The one place received objects reach the store.
    static func store(_ objects: [RawObject], in repository: Repository) throws {
        var start = 0
        while start < objects.count {
            let end = min(start + 4096, objects.count)
            _ = try repository.objects.putBatch(Array(objects[start..<end]))
            start = end
        }
        // Received objects become a sealed pack at once, so `git` (and a
        // `git http-backend` serving the same repository) sees them too.
        try repository.flush()
    }

    /// Git's fsck rules for one received object (the single hook every
    /// received object passes); returns what it refers to.
    static func checkReceived(_ object: RawObject, id: ObjectID, algorithm: HashAlgorithm) throws -> [FsckRules.Link] {
        do {
            return try FsckRules.check(object, id: id, algorithm: algorithm)
        } catch let error as BanyanError {
            throw BanyanError(error.code, "received \(error.message)")
        }
    }
}
