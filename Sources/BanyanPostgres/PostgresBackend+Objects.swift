import Banyan
import PostgresNIO

extension PostgresBackend {
    /// Objects are inserted in statements of at most this many body bytes,
    /// so a big batch (a received pack) does not make one huge message.
    static let insertChunkBytes = 8 << 20

    /// Stores `object` and returns its id; a no-op when it is present.
    public func put(_ object: RawObject) throws -> ObjectID {
        let id = object.id(hashAlgorithm)
        try insert([(id, object)])
        return id
    }

    /// Stores several objects in one statement per 8 MiB of bodies; returns their ids in order.
    public func putBatch(_ objects: [RawObject]) throws -> [ObjectID] {
        let ids = objects.map { $0.id(hashAlgorithm) }
        try insert(Array(zip(ids, objects)))
        return ids
    }

    /// Stores a staged batch with the ids it computed; delta hints are not used.
    public func write(_ batch: ObjectBatch) throws {
        try insert(batch.items)
    }

    /// The object with `id`, or nil.
    ///
    /// Throws `invalidArgument` for an id of another hash function, and
    /// `corruptObject` when the stored row does not hash to `id`.
    public func find(_ id: ObjectID) throws -> RawObject? {
        try RefUpdateRules.checkAlgorithm(id, store: hashAlgorithm)
        let rows = try withSession { session in
            try session.query("SELECT kind, body FROM banyan_objects WHERE store_id = \(storeID) AND oid = \(id.postgresBytes)",
                              "read object \(id)")
        }
        guard let row = rows.first else { return nil }
        let (code, body) = try row.decode((Int16, ByteBuffer).self)
        guard let kind = ObjectKind(packCode: UInt8(truncatingIfNeeded: code)) else {
            throw BanyanError(.corruptObject, "object \(id) in store '\(location.store)' has unknown kind \(code)")
        }
        let object = RawObject(kind: kind, body: Array(body.readableBytesView))
        guard object.id(hashAlgorithm) == id else {
            throw BanyanError(.corruptObject, "object \(id) in store '\(location.store)' does not hash to its id")
        }
        return object
    }

    /// True when the store holds `id`.
    public func contains(_ id: ObjectID) throws -> Bool {
        try RefUpdateRules.checkAlgorithm(id, store: hashAlgorithm)
        let rows = try withSession { session in
            try session.query("SELECT 1 FROM banyan_objects WHERE store_id = \(storeID) AND oid = \(id.postgresBytes)",
                              "look up object \(id)")
        }
        return !rows.rows.isEmpty
    }

    /// Every object id of the store, in no particular order; reads the whole index.
    public func allObjectIDs() throws -> [ObjectID] {
        let rows = try withSession { session in
            try session.query("SELECT oid FROM banyan_objects WHERE store_id = \(storeID)", "list objects")
        }
        return try rows.map { try ObjectID(postgres: $0.decode(ByteBuffer.self), what: "an object row") }
    }

    /// The ids starting with `prefix`: a range scan of the primary key.
    public func objectIDs(withHexPrefix prefix: String) throws -> [ObjectID] {
        let prefix = try RefUpdateRules.normalizedHexPrefix(prefix)
        let length = hashAlgorithm.hexLength
        guard prefix.count <= length,
              let low = ObjectID(hex: prefix.padding(toLength: length, withPad: "0", startingAt: 0)),
              let high = ObjectID(hex: prefix.padding(toLength: length, withPad: "f", startingAt: 0)) else { return [] }
        let rows = try withSession { session in
            try session.query("""
                SELECT oid FROM banyan_objects
                WHERE store_id = \(storeID) AND oid BETWEEN \(low.postgresBytes) AND \(high.postgresBytes)
                """, "look up objects starting with \(prefix)")
        }
        return try rows.map { try ObjectID(postgres: $0.decode(ByteBuffer.self), what: "an object row") }
    }

    /// Inserts `items`, skipping those present, one statement per chunk; each chunk commits on its own.
    private func insert(_ items: [(id: ObjectID, object: RawObject)]) throws {
        guard !items.isEmpty else { return }
        try withSession { session in
            var start = 0
            while start < items.count {
                var end = start
                var bytes = 0
                while end < items.count && (end == start || bytes + items[end].object.body.count <= Self.insertChunkBytes) {
                    bytes += items[end].object.body.count
                    end += 1
                }
                let chunk = items[start..<end]
                let ids = chunk.map(\.id.postgresBytes)
                let kinds = chunk.map { Int16($0.object.kind.packCode) }
                let bodies = chunk.map { ByteBuffer(bytes: $0.object.body) }
                try session.query("""
                    INSERT INTO banyan_objects (store_id, oid, kind, body)
                    SELECT \(storeID), * FROM unnest(\(ids)::bytea[], \(kinds)::int2[], \(bodies)::bytea[])
                    ON CONFLICT (store_id, oid) DO NOTHING
                    """, "store \(chunk.count) objects")
                start = end
            }
        }
        wroteObjects.store(true, ordering: .relaxed)
    }
}
