/// The object store: sealed packs first (where most objects of a gc'd
/// repository live), then the open append pack, then loose objects, then the
/// open packs of other writers.
extension FileSystemBackend {
    /// How new objects are written.
    public enum WriteMode: Sendable, Hashable {
        /// Appended to an open pack, sealed on flush, close or at a size limit (fast).
        case pack
        /// One zlib file per object under `objects/xx/` (what `git` writes by default).
        case loose
    }

    /// Stores `object` and returns its id; a no-op when it is stored already.
    ///
    /// With `.commit` durability the object is on stable storage before this returns.
    public func put(_ object: RawObject) throws -> ObjectID {
        try putBatch([object])[0]
    }

    /// Stores several objects at once and returns their ids in order.
    ///
    /// In `.pack` mode this is one write to the open pack (and, with `.commit`
    /// durability, one `fsync` shared with concurrent writers).
    public func putBatch(_ objects: [RawObject]) throws -> [ObjectID] {
        var batch = ObjectBatch(algorithm: hashAlgorithm)
        let ids = objects.map { batch.add($0) }
        try write(batch)
        return ids
    }

    /// Stores a staged batch; in `.pack` mode an object whose delta base is in
    /// the open pack is stored as a delta against it.
    public func write(_ batch: ObjectBatch) throws {
        guard batch.algorithm == hashAlgorithm else {
            throw BanyanError(.invalidArgument, "a \(batch.algorithm) batch cannot go into a \(hashAlgorithm) repository")
        }
        guard writeMode == .pack else {
            _ = try putLoose(batch.items.map(\.object))
            objectFilesChanged()
            return
        }
        let missing = try batch.items.filter { item in try !packs.contains(item.id) }
        guard !missing.isEmpty else { return }
        let full = try appendPack.append(missing, deltaBases: batch.deltaBases, deltas: batch.deltas)
        // A durable write is on stable storage when it returns, so it is sealed now.
        if full || isDurable { try sealAppendPack() }
    }

    /// Seals the open append pack so `git` and other processes see its objects.
    public func flush() throws {
        try sealAppendPack()
    }

    /// Seals the open append pack (with `.commit` durability, flushed to
    /// stable storage) and maps what it sealed. Every ref update calls it
    /// before the ref moves: a ref never names an object `git` cannot read.
    func sealAppendPack() throws {
        let sealed = try appendPack.seal(durable: isDurable) { try packs.add($0) }
        if !sealed.isEmpty { objectFilesChanged() }
    }

    /// The object with `id`; nil when absent.
    ///
    /// Finds what `git` finds (sealed packs and loose objects) and this
    /// backend's own unsealed writes; another process's writes appear when
    /// it seals them, before its refs name them. A miss re-lists
    /// `objects/pack`, so packs written meanwhile (by `git gc`, maintenance
    /// or another process) are found, and again when the listing changed
    /// under it (a repack replaced a pack between the listing and the read).
    /// Throws `corruptObject` naming the file when stored bytes are damaged,
    /// `invalidArgument` for an id of another hash function.
    public func find(_ id: ObjectID) throws -> RawObject? {
        try RefUpdateRules.checkAlgorithm(id, store: hashAlgorithm)
        if let object = try packs.find(id) { return object }
        if let object = try appendPack.find(id) { return object }
        if let object = try findLoose(id) { return object }
        return try afterRelisting { readers in
            guard let reader = readers.first(where: { $0.contains(id) }) else { return try findLoose(id) }
            return try reader.get(id)
        }
    }

    /// True when the store holds `id` (its content is not checked); what
    /// `find(_:)` would find.
    public func contains(_ id: ObjectID) throws -> Bool {
        try RefUpdateRules.checkAlgorithm(id, store: hashAlgorithm)
        if try packs.contains(id) || appendPack.contains(id) || containsLoose(id) { return true }
        return try afterRelisting { readers in
            readers.contains { $0.contains(id) } || containsLoose(id) ? true : nil
        } ?? false
    }

    /// `lookup` over the re-listed packs until it finds something or the
    /// listing stops changing: maintenance installs a new pack (and moves
    /// loose objects into it) before it deletes what it replaces, so a
    /// listing made after the deletion sees the replacement.
    private func afterRelisting<T>(_ lookup: ([PackReader]) throws -> T?) throws -> T? {
        var previous: Set<ObjectIdentifier>? = nil
        for _ in 0..<4 {
            let readers = try packs.refresh()
            if let found = try lookup(readers) { return found }
            let listing = Set(readers.map(ObjectIdentifier.init))
            if listing == previous { return nil }
            previous = listing
        }
        return nil
    }

    /// The ids of every object, packed, appended or loose, each once.
    public func allObjectIDs() throws -> [ObjectID] {
        var ids = Set(try allLooseIDs())
        ids.formUnion(appendPack.allIDs())
        for reader in try packs.refresh() { ids.formUnion(reader.index.ids) }
        return Array(ids)
    }

    /// The ids whose hex form starts with `prefix`.
    public func objectIDs(withHexPrefix prefix: String) throws -> [ObjectID] {
        let prefix = try RefUpdateRules.normalizedHexPrefix(prefix)
        var ids = Set(try looseIDs(withHexPrefix: prefix))
        ids.formUnion(appendPack.allIDs().filter { $0.hasHexPrefix(prefix) })
        for reader in try packs.refresh() { ids.formUnion(reader.index.ids(withHexPrefix: prefix)) }
        return Array(ids)
    }
}

extension FileSystemBackend: StoredEntryLookup {
    /// How `id` is stored in a sealed pack; objects in the append pack or loose are not reported.
    package func storedEntry(_ id: ObjectID) throws -> StoredEntry? {
        try RefUpdateRules.checkAlgorithm(id, store: hashAlgorithm)
        return try packs.storedEntry(id)
    }
}

extension FileSystemBackend: ObjectInfoLookup {
    /// The type and size of `id`: from its entry headers when a sealed pack
    /// holds it, else from the object read (loose, or in the open append pack).
    package func objectInfo(_ id: ObjectID) throws -> (kind: ObjectKind, size: Int)? {
        try RefUpdateRules.checkAlgorithm(id, store: hashAlgorithm)
        if let info = try packs.info(id) { return info }
        return try find(id).map { ($0.kind, $0.body.count) }
    }
}

extension FileSystemBackend: ReachabilityBitmapLookup {
    /// The bitmap index of the biggest pack that has one, read once per listing of the pack directory.
    package func reachabilityBitmap() throws -> PackBitmapIndex? {
        try packs.reachabilityBitmap()
    }
}
