import Banyan
import PostgresNIO

extension PostgresBackend {
    /// The channel every ref change is announced on (`NOTIFY`), with the
    /// payload `STORE_ID REF_NAME`.
    static let refChannel = "banyan_ref_changes"

    /// The value of `name`, not following symbolic refs; nil when absent.
    public func find(_ name: String) throws -> RefValue? {
        try RefName.validate(name)
        return try withSession { session in try readRefs([name], session)[name] }
    }

    /// Sets `name` to `new` if it matches `expected`, logging the update when `log` is given.
    ///
    /// One transaction: the store's row is locked (ref updates of one store
    /// run one at a time, across every process), the expectation checked,
    /// the ref written and its reflog entries appended, all committed together.
    /// Throws `invalidRefName`, `staleRef`, `alreadyExists` when a new ref's
    /// name clashes with an existing one, and `io` when the server fails.
    public func compareAndSwap(_ name: String, expected: RefExpectation, new: ObjectID, log: ReflogEntry?) throws {
        try RefName.validate(name)
        try RefUpdateRules.checkAlgorithms(expected, new, store: hashAlgorithm)
        try withRefLock { session in
            let values = try readRefs([name, "HEAD"], session)
            let current = values[name]
            try RefUpdateRules.check(expected, name: name, current: current)
            if current == nil { try checkNameConflicts(name, session) }
            try session.query("""
                INSERT INTO banyan_refs (store_id, name, target) VALUES (\(storeID), \(name), \(new.postgresBytes))
                ON CONFLICT (store_id, name) DO UPDATE SET target = excluded.target, symbolic = NULL
                """, "write ref \(name)")
            if let log {
                let entry = RefUpdateRules.entry(from: log, old: current, new: new)
                for logName in RefUpdateRules.logNames(for: name, head: values["HEAD"]) {
                    try appendReflogEntry(entry, to: logName, session)
                }
            }
            try announce(name, session)
        }
        refChanges.post(name)
    }

    /// Deletes `name` and its reflog if it matches `expected`.
    ///
    /// Throws `refNotFound` when it does not exist, `staleRef` on a mismatch.
    public func delete(_ name: String, expected: RefExpectation) throws {
        try RefName.validate(name)
        try RefUpdateRules.checkAlgorithms(expected, nil, store: hashAlgorithm)
        try withRefLock { session in
            guard let current = try readRefs([name], session)[name] else {
                throw BanyanError(.refNotFound, "ref \(name) does not exist")
            }
            try RefUpdateRules.check(expected, name: name, current: current)
            try session.query("DELETE FROM banyan_refs WHERE store_id = \(storeID) AND name = \(name)", "delete ref \(name)")
            try session.query("DELETE FROM banyan_reflog WHERE store_id = \(storeID) AND ref = \(name)",
                              "delete the reflog of \(name)")
            try announce(name, session)
        }
        refChanges.post(name)
    }

    /// The direct refs under `refs/` whose names start with `prefix`, sorted by name bytes.
    public func list(prefix: String) throws -> [(name: String, id: ObjectID)] {
        let rows = try withSession { session in
            try session.query("""
                SELECT name, target FROM banyan_refs
                WHERE store_id = \(storeID) AND target IS NOT NULL
                  AND starts_with(name, 'refs/') AND starts_with(name, \(prefix))
                """, "list refs under '\(prefix)'")
        }
        let refs = try rows.map { row in
            let (name, target) = try row.decode((String, ByteBuffer).self)
            return (name: name, id: try ObjectID(postgres: target, what: "ref \(name)"))
        }
        return RefUpdateRules.sortedByName(refs)
    }

    /// Points the symbolic ref `name` at `target`, whatever `name` held before.
    public func setSymbolic(_ name: String, target: String) throws {
        try RefName.validate(name)
        try RefName.validate(target)
        try withRefLock { session in
            if try readRefs([name], session)[name] == nil { try checkNameConflicts(name, session) }
            try session.query("""
                INSERT INTO banyan_refs (store_id, name, symbolic) VALUES (\(storeID), \(name), \(target))
                ON CONFLICT (store_id, name) DO UPDATE SET symbolic = excluded.symbolic, target = NULL
                """, "point \(name) at \(target)")
            try announce(name, session)
        }
        refChanges.post(name)
    }

    /// The reflog of `name`, oldest first.
    public func reflog(_ name: String) throws -> [ReflogEntry] {
        try RefName.validate(name)
        return try withSession { session in try reflog(name, session) }
    }

    // MARK: Helpers

    /// Runs `body` in a transaction holding the store's ref lock: the store's
    /// row locked `FOR NO KEY UPDATE`, which object inserts (whose foreign
    /// key takes `FOR KEY SHARE`) do not wait for.
    func withRefLock<Result>(_ body: (PostgresSession) throws -> Result) throws -> Result {
        try withSession { session in
            try session.transaction {
                let locked = try session.query("SELECT 1 FROM banyan_stores WHERE id = \(storeID) FOR NO KEY UPDATE",
                                               "lock the refs of store \(location.store)")
                guard !locked.rows.isEmpty else {
                    throw BanyanError(.invalidRepository, "store '\(location.store)' was removed from \(location.server)")
                }
                return try body(session)
            }
        }
    }

    /// The values of the refs of `names` that exist.
    private func readRefs(_ names: [String], _ session: PostgresSession) throws -> [String: RefValue] {
        let rows = try session.query("""
            SELECT name, target, symbolic FROM banyan_refs WHERE store_id = \(storeID) AND name = ANY(\(names))
            """, "read ref \(names[0])")
        var values: [String: RefValue] = [:]
        for row in rows {
            let (name, target, symbolic) = try row.decode((String, ByteBuffer?, String?).self)
            if let target {
                values[name] = .direct(try ObjectID(postgres: target, what: "ref \(name)"))
            } else if let symbolic {
                values[name] = .symbolic(symbolic)
            }
        }
        return values
    }

    /// Throws `alreadyExists` when a ref inside `name` or containing it exists.
    private func checkNameConflicts(_ name: String, _ session: PostgresSession) throws {
        let rows = try session.query("""
            SELECT name FROM banyan_refs WHERE store_id = \(storeID)
              AND (starts_with(name, \(name + "/")) OR starts_with(\(name), name || '/'))
            LIMIT 1
            """, "check names around \(name)")
        if let row = rows.first { throw RefUpdateRules.nameConflict(name, existing: try row.decode(String.self)) }
    }

    /// The reflog of `name` read with `session`, oldest first.
    func reflog(_ name: String, _ session: PostgresSession) throws -> [ReflogEntry] {
        let rows = try session.query("""
            SELECT old_id, new_id, committer_name, committer_email, committer_time, committer_zone, message
            FROM banyan_reflog WHERE store_id = \(storeID) AND ref = \(name) ORDER BY seq
            """, "read the reflog of \(name)")
        return try rows.map { row in
            let (old, new, person, email, time, zone, message) =
                try row.decode((ByteBuffer, ByteBuffer, String, String, Int64, Int32, String).self)
            return ReflogEntry(old: try ObjectID(postgres: old, what: "the reflog of \(name)"),
                               new: try ObjectID(postgres: new, what: "the reflog of \(name)"),
                               committer: Signature(name: person, email: email, time: time, timeZoneMinutes: Int(zone)),
                               message: message)
        }
    }

    /// Appends `entry` to the reflog of `ref`, at position `seq` when given (else after every entry).
    func appendReflogEntry(_ entry: ReflogEntry, to ref: String, seq: Int64? = nil, _ session: PostgresSession) throws {
        let committer = entry.committer
        let zone = Int32(committer.timeZoneMinutes)
        if let seq {
            try session.query("""
                INSERT INTO banyan_reflog (store_id, ref, seq, old_id, new_id, committer_name, committer_email,
                                           committer_time, committer_zone, message)
                VALUES (\(storeID), \(ref), \(seq), \(entry.old.postgresBytes), \(entry.new.postgresBytes), \(committer.name),
                        \(committer.email), \(committer.time), \(zone), \(entry.message))
                """, "rewrite the reflog of \(ref)")
        } else {
            try session.query("""
                INSERT INTO banyan_reflog (store_id, ref, old_id, new_id, committer_name, committer_email,
                                           committer_time, committer_zone, message)
                VALUES (\(storeID), \(ref), \(entry.old.postgresBytes), \(entry.new.postgresBytes), \(committer.name),
                        \(committer.email), \(committer.time), \(zone), \(entry.message))
                """, "append to the reflog of \(ref)")
        }
    }

    /// Tells every listener that `name` moved, when the transaction commits.
    private func announce(_ name: String, _ session: PostgresSession) throws {
        try session.query("SELECT pg_notify(\(Self.refChannel), \("\(storeID) \(name)"))", "announce the change of \(name)")
    }
}
