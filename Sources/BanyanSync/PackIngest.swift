import Banyan

/// Brings a received pack into a repository: indexes it (verifying every
/// object's hash and the trailer), checks each object against Git's fsck
/// rules (`FsckRules`), and only then stores it.
///
/// A filesystem repository keeps the pack as it came, deltas and all
/// (completed with the bases of a thin pack, as `git index-pack --fix-thin`
/// does), installed with its index under `objects/pack`; any other store
/// gets the objects in one batch. Nothing is written when any step fails,
/// so a truncated or damaged pack leaves the repository as it was.
public enum PackIngest {
    /// What a pack brought.
    public struct Received: Sendable {
        /// The ids of the pack's objects, in pack order (not the bases a thin pack was completed with).
        public var ids: [ObjectID]
        /// The pack's size in bytes, as received.
        public var byteCount: Int
    }

    /// Indexes, verifies and stores `pack`; see the spool version.
    @discardableResult
    public static func ingest(_ pack: [UInt8], into repository: Repository, maxObjectSize: Int = 1 << 30) throws -> Received {
        let spool = try PackSpool(for: repository)
        try spool.append(pack)
        return try ingest(spool, into: repository, maxObjectSize: maxObjectSize)
    }

    /// Indexes, verifies and stores the pack in `spool`; REF_DELTA bases
    /// missing from the pack come from the repository (a thin pack).
    ///
    /// Cost: one indexing pass over the pack (mapped, not read into memory),
    /// one read of each commit, tree and tag (blobs too for a store that is
    /// not a filesystem one); a filesystem repository then links the spooled
    /// file into place, without copying it. Throws `corruptObject` for a
    /// damaged or truncated pack or an object that fails Git's fsck rules,
    /// `limitExceeded` for an object over `maxObjectSize`.
    @discardableResult
    public static func ingest(_ spool: PackSpool, into repository: Repository, maxObjectSize: Int = 1 << 30) throws -> Received {
        let algorithm = repository.hashAlgorithm
        let objects = repository.objects
        let lookup: @Sendable (ObjectID) throws -> RawObject? = { try objects.find($0) }
        let byteCount = spool.count
        let indexed = try spool.bytes().withUnsafeBytes {
            try PackIndexer.index(pack: $0, algorithm: algorithm, maxObjectSize: maxObjectSize, baseLookup: lookup)
        }
        let ids = indexed.entries.map(\.id)
        guard !ids.isEmpty else { return Received(ids: [], byteCount: byteCount) }
        let complete = try spool.completeThinPack(indexed, algorithm: algorithm, baseLookup: lookup)
        let index = try complete.indexBytes()
        let reader = try PackReader(pack: try spool.bytes(), index: try PackIndex(bytes: index, algorithm: algorithm),
                                    maxObjectSize: maxObjectSize)
        let backend = objects as? FileSystemBackend
        var batch: [RawObject] = []
        var attributes: [ObjectID] = []
        // Blobs pass every fsck rule but the one for `.gitattributes`, checked below.
        for entry in indexed.entries where entry.kind != .blob || backend == nil {
            let object = try reader.get(entry.id)
            attributes += try checkReceived(object, id: entry.id, algorithm: algorithm).filter(\.isAttributes).map(\.id)
            if backend == nil { batch.append(object) }
        }
        for id in attributes {
            if let blob = try reader.find(id) { try FsckRules.checkAttributes(blob, id: id) }
        }
        if let backend {
            try spool.sync()
            guard let file = spool.file?.path else { throw BanyanError(.io, "the received pack's temporary file is gone") }
            spool.handOver()
            _ = try backend.installPack(file: file, index: index, checksum: complete.checksum)
        } else {
            // One batch: a concurrent reader sees all of the pack or none of it.
            _ = try objects.putBatch(batch)
            try repository.flush()
        }
        return Received(ids: ids, byteCount: byteCount)
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
