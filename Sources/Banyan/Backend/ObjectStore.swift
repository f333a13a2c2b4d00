/// A content-addressed, append-only store of Git objects.
///
/// `put` returns the object's id, the hash of its Git encoding, so the same
/// object put twice is stored once. Implementations are thread-safe.
public protocol ObjectStore: AnyObject, Sendable {
    /// The hash function ids in this store are computed with.
    var hashAlgorithm: HashAlgorithm { get }

    /// Stores `object` and returns its id. Storing an object already present is a no-op.
    func put(_ object: RawObject) throws -> ObjectID

    /// Stores several objects at once (one lock, one flush); returns their ids in order.
    func putBatch(_ objects: [RawObject]) throws -> [ObjectID]

    /// Stores a staged batch (ids already computed, delta hints a backend may use).
    func write(_ batch: ObjectBatch) throws

    /// The object with `id`, or nil when absent. Throws `corruptObject` when
    /// the stored bytes do not decode or do not hash to `id`.
    func find(_ id: ObjectID) throws -> RawObject?

    /// True when the store holds `id`.
    func contains(_ id: ObjectID) throws -> Bool

    /// The ids of every object in the store, in no particular order.
    func allObjectIDs() throws -> [ObjectID]

    /// The ids whose hex form starts with `prefix` (lowercase, at least 4 characters).
    func objectIDs(withHexPrefix prefix: String) throws -> [ObjectID]

    /// Makes everything stored so far readable by other tools (`git`): a
    /// backend that buffers writes (an open pack) finishes them.
    func flush() throws
}

extension ObjectStore {
    /// Backends that write through need no flush.
    public func flush() throws {}

    /// Backends without deltas store the objects and ignore the hints.
    public func write(_ batch: ObjectBatch) throws {
        _ = try putBatch(batch.items.map(\.object))
    }

    /// The object with `id`; throws `objectNotFound` when absent.
    public func get(_ id: ObjectID) throws -> RawObject {
        guard let object = try find(id) else {
            throw BanyanError(.objectNotFound, "object \(id) is not in the store")
        }
        return object
    }

    /// The object with `id`, checked to be of `kind`.
    public func get(_ id: ObjectID, kind: ObjectKind) throws -> RawObject {
        let object = try get(id)
        guard object.kind == kind else {
            throw BanyanError(.corruptObject, "object \(id) is a \(object.kind), expected a \(kind)")
        }
        return object
    }
}

/// A store that can tell how an object sits in its sealed packs, so a pack
/// writer copies stored deltas and compressed data instead of searching and
/// compressing again (the `reuse` of `PackWriter.write`).
package protocol StoredEntryLookup: ObjectStore {
    /// How `id` is stored in a sealed pack, or nil when it is not in one
    /// (loose, in an open pack, or absent). Throws `corruptObject` for a damaged entry.
    func storedEntry(_ id: ObjectID) throws -> StoredEntry?
}

/// A store whose sealed packs may carry reachability bitmaps (a
/// `pack-<hex>.bitmap`, written by gc or by `git repack -b`).
package protocol ReachabilityBitmapLookup: ObjectStore {
    /// The bitmap index of one pack, or nil when there is none (or it is damaged).
    func reachabilityBitmap() throws -> PackBitmapIndex?
}

/// A store that can tell an object's type and size without reading it
/// whole (from a pack entry's header, as `git cat-file --batch-check` does).
package protocol ObjectInfoLookup: ObjectStore {
    /// The type and size of `id`, or nil when absent. Throws `corruptObject`
    /// for a damaged entry.
    func objectInfo(_ id: ObjectID) throws -> (kind: ObjectKind, size: Int)?
}

extension Repository {
    /// The type and size of `id`, or nil when absent: from the entry
    /// headers where the store can tell them, else from the object read whole.
    package func objectInfo(_ id: ObjectID) throws -> (kind: ObjectKind, size: Int)? {
        try objectInfoReader()(id)
    }

    /// `objectInfo(_:)` for many ids: the store's way of telling is found once.
    package func objectInfoReader() -> (ObjectID) throws -> (kind: ObjectKind, size: Int)? {
        if let lookup = objects as? any ObjectInfoLookup { return lookup.objectInfo }
        let objects = objects
        return { id in try objects.find(id).map { ($0.kind, $0.body.count) } }
    }

    /// How objects sit in the store's sealed packs, for `PackWriter`'s
    /// `reuse`; nil when the store cannot tell (an in-memory store).
    package var storedEntries: PackWriter.StoredLookup? {
        (objects as? any StoredEntryLookup).map { $0.storedEntry }
    }

    /// The reachability bitmap index of one of the store's packs, for walks
    /// that can use one (`BitmapFill`); nil when there is none.
    package func reachabilityBitmap() throws -> PackBitmapIndex? {
        try (objects as? any ReachabilityBitmapLookup)?.reachabilityBitmap()
    }
}
