import Banyan
import Foundation
import PostgresNIO

extension PostgresBackend: MaintainableStore, RecordMaintainedStore {
    /// Nothing is ever due: the database keeps its own storage in shape
    /// (autovacuum); pruning and reflog expiry run when asked for.
    public func maintenanceDue() throws -> [MaintenanceTask] { [] }

    /// Runs `tasks` in order: `gc` expires reflogs then prunes, `prune` prunes,
    /// `reflog-expire` expires; the packing tasks have nothing to do.
    public func runMaintenance(_ tasks: [MaintenanceTask], waiting: Bool) throws -> MaintenanceReport {
        try recordMaintenance(tasks)
    }

    /// Deletes the objects that no ref, `HEAD` or reflog entry reaches and
    /// that were stored at or before `cutoff` (nil: none), and not within
    /// the last hour whatever the cutoff (a write in progress stores its
    /// objects before its ref moves). Reads every object the refs reach.
    public func gc(pruneBefore cutoff: Date?) throws -> GCReport {
        try recordGC(pruneBefore: cutoff, now: Date())
    }

    /// Nothing to roll up: the report of a run that did nothing.
    public func repackGeometric(factor: Int) throws -> GeometricRepackReport {
        recordRepackGeometric()
    }

    /// Expires reflog entries by the rules of ``Repository/expireReflogs(now:)``.
    public func expireReflogs(now: Date) throws -> ReflogExpiryReport {
        try recordExpireReflogs(now: now)
    }

    /// The objects counted as loose ones, `size` the KiB of their uncompressed bodies.
    public func countObjects() throws -> ObjectCounts {
        try recordCountObjects()
    }

    /// True once this backend stored objects.
    public var hasStoredObjects: Bool {
        wroteObjects.load(ordering: .relaxed)
    }

    // MARK: RecordMaintainedStore

    /// Every object of the store with the time it was first stored.
    package func storedObjectDates() throws -> [ObjectID: Date] {
        let rows = try withSession { session in
            try session.query("SELECT oid, added_at FROM banyan_objects WHERE store_id = \(storeID)", "list objects")
        }
        var dates: [ObjectID: Date] = [:]
        for row in rows {
            let (oid, added) = try row.decode((ByteBuffer, Date).self)
            dates[try ObjectID(postgres: oid, what: "an object row")] = added
        }
        return dates
    }

    /// Deletes the objects in `ids`; returns how many were there.
    package func removeObjects(_ ids: [ObjectID]) throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let digests = ids.map(\.postgresBytes)
        let result = try withSession { session in
            try session.query("DELETE FROM banyan_objects WHERE store_id = \(storeID) AND oid = ANY(\(digests)::bytea[])",
                              "delete \(ids.count) objects")
        }
        return result.metadata.rows ?? 0
    }

    /// The refs that have reflog entries.
    package func refsWithReflogs() throws -> [String] {
        let rows = try withSession { session in
            try session.query("SELECT DISTINCT ref FROM banyan_reflog WHERE store_id = \(storeID) ORDER BY ref",
                              "list reflogs")
        }
        return try rows.map { try $0.decode(String.self) }
    }

    /// Replaces the first entries of the reflog of `ref`, when they are still
    /// `old`, with `kept`, under the store's ref lock; `kept` takes the
    /// places of the first of them, so entries appended since stay after it.
    package func replaceReflogPrefix(_ ref: String, old: [ReflogEntry], with kept: [ReflogEntry]) throws -> Bool {
        guard kept.count <= old.count else {
            throw BanyanError(.invalidArgument, "reflog expiry of \(ref) would add entries (\(kept.count) for \(old.count))")
        }
        return try withRefLock { session in
            let rows = try session.query("""
                SELECT seq FROM banyan_reflog WHERE store_id = \(storeID) AND ref = \(ref) ORDER BY seq LIMIT \(old.count)
                """, "read the reflog of \(ref)")
            let sequence = try rows.map { try $0.decode(Int64.self) }
            guard sequence.count == old.count, try reflog(ref, session).starts(with: old) else { return false }
            try session.query("DELETE FROM banyan_reflog WHERE store_id = \(storeID) AND ref = \(ref) AND seq = ANY(\(sequence))",
                              "expire the reflog of \(ref)")
            for (entry, seq) in zip(kept, sequence) {
                try appendReflogEntry(entry, to: ref, seq: seq, session)
            }
            return true
        }
    }

    /// The total size of the object bodies, in bytes.
    package func storedBodyBytes() throws -> UInt64 {
        let rows = try withSession { session in
            try session.query("SELECT coalesce(sum(length(body)), 0)::bigint FROM banyan_objects WHERE store_id = \(storeID)",
                              "measure the objects")
        }
        return UInt64(try rows.first?.decode(Int64.self) ?? 0)
    }
}
