import Foundation
import Synchronization

/// A backend that keeps objects, refs and reflogs in memory, for tests and
/// for stores that never need to outlive the process.
///
/// It has the same semantics as `FileSystemBackend` (the conformance suite in
/// `BanyanTestSupport` runs on both): compare-and-swap does not follow
/// symbolic refs, `list` shows direct refs under `refs/` only, and reflogs
/// are kept for branches, remote-tracking refs, notes and `HEAD`.
///
/// Thread-safety: every operation takes one of two mutexes (objects, refs)
/// for the time of a dictionary access; hashing happens outside the lock.
/// Cost: objects are held uncompressed; `objectIDs(withHexPrefix:)` and
/// creating a ref scan all entries.
public final class MemoryBackend: ObjectStore, RefStore, RefChangeSource, Sendable {
    /// The hash function ids in this store are computed with.
    public let hashAlgorithm: HashAlgorithm

    private struct RefState {
        var values: [String: RefValue]
        var logs: [String: [ReflogEntry]] = [:]
    }

    /// An object and when it was first stored (what gc's grace period measures).
    private struct Stored {
        var object: RawObject
        var added: Date
    }

    private let objects = Mutex<[ObjectID: Stored]>([:])
    private let refs: Mutex<RefState>
    /// The configuration (``ConfigStore``).
    let config = Mutex(GitConfig())
    /// The shallow commits (``ShallowStore``).
    let shallow = Mutex<Set<ObjectID>>([])
    /// Posted to after every ref change; no other process can make one.
    public let refChanges = RefChangeNotifier(seesEveryChange: true)
    /// Whether objects were stored (``MaintainableStore/hasStoredObjects``).
    let wroteObjects = Atomic(false)

    /// Creates an empty store whose `HEAD` is a symbolic ref to `refs/heads/<initialBranch>`.
    ///
    /// Throws `invalidRefName` when `initialBranch` is not a valid branch name.
    public init(hashAlgorithm: HashAlgorithm = .sha1, initialBranch: String = "main") throws {
        self.hashAlgorithm = hashAlgorithm
        let head = try RefName.branch(initialBranch)
        refs = Mutex(RefState(values: ["HEAD": .symbolic(head)]))
    }

    // MARK: Objects

    /// Stores `object` and returns its id; a no-op when it is present.
    public func put(_ object: RawObject) throws -> ObjectID {
        let id = object.id(hashAlgorithm)
        let now = Date()
        objects.withLock { stored in
            if stored[id] == nil { stored[id] = Stored(object: object, added: now) }
        }
        wroteObjects.store(true, ordering: .relaxed)
        return id
    }

    /// Stores several objects under one lock; returns their ids in order.
    public func putBatch(_ batch: [RawObject]) throws -> [ObjectID] {
        let ids = batch.map { $0.id(hashAlgorithm) }
        let now = Date()
        objects.withLock { stored in
            for (id, object) in zip(ids, batch) where stored[id] == nil {
                stored[id] = Stored(object: object, added: now)
            }
        }
        wroteObjects.store(true, ordering: .relaxed)
        return ids
    }

    /// The object with `id`, or nil. Throws `invalidArgument` for an id of another hash function.
    public func find(_ id: ObjectID) throws -> RawObject? {
        try RefUpdateRules.checkAlgorithm(id, store: hashAlgorithm)
        return objects.withLock { $0[id]?.object }
    }

    /// True when the store holds `id`.
    public func contains(_ id: ObjectID) throws -> Bool {
        try RefUpdateRules.checkAlgorithm(id, store: hashAlgorithm)
        return objects.withLock { $0[id] != nil }
    }

    /// Every object id, in no particular order.
    public func allObjectIDs() throws -> [ObjectID] {
        objects.withLock { Array($0.keys) }
    }

    /// The ids starting with `prefix`; scans every id.
    public func objectIDs(withHexPrefix prefix: String) throws -> [ObjectID] {
        let prefix = try RefUpdateRules.normalizedHexPrefix(prefix)
        return objects.withLock { $0.keys.filter { $0.hasHexPrefix(prefix) } }
    }

    // MARK: Refs

    /// The value of `name`, not following symbolic refs; nil when absent.
    public func find(_ name: String) throws -> RefValue? {
        try RefName.validate(name)
        return refs.withLock { $0.values[name] }
    }

    /// Sets `name` to `new` if it matches `expected`, logging the update when `log` is given.
    ///
    /// Throws `invalidRefName`, `staleRef`, or `alreadyExists` when a new
    /// ref's name clashes with an existing one (`refs/heads/a` vs `refs/heads/a/b`).
    public func compareAndSwap(_ name: String, expected: RefExpectation, new: ObjectID, log: ReflogEntry?) throws {
        try RefName.validate(name)
        try RefUpdateRules.checkAlgorithms(expected, new, store: hashAlgorithm)
        try refs.withLock { state in
            let current = state.values[name]
            try RefUpdateRules.check(expected, name: name, current: current)
            if current == nil { try Self.checkNameConflicts(name, in: state) }
            if let log {
                let entry = RefUpdateRules.entry(from: log, old: current, new: new)
                for logName in RefUpdateRules.logNames(for: name, head: state.values["HEAD"]) {
                    state.logs[logName, default: []].append(entry)
                }
            }
            state.values[name] = .direct(new)
        }
        refChanges.post(name)
    }

    /// Deletes `name` and its reflog if it matches `expected`.
    ///
    /// Throws `refNotFound` when it does not exist, `staleRef` on a mismatch.
    public func delete(_ name: String, expected: RefExpectation) throws {
        try RefName.validate(name)
        try RefUpdateRules.checkAlgorithms(expected, nil, store: hashAlgorithm)
        try refs.withLock { state in
            guard let current = state.values[name] else {
                throw BanyanError(.refNotFound, "ref \(name) does not exist")
            }
            try RefUpdateRules.check(expected, name: name, current: current)
            state.values[name] = nil
            state.logs[name] = nil
        }
        refChanges.post(name)
    }

    /// The direct refs under `refs/` whose names start with `prefix`, sorted by name bytes.
    public func list(prefix: String) throws -> [(name: String, id: ObjectID)] {
        let matches: [(name: String, id: ObjectID)] = refs.withLock { state in
            state.values.compactMap { name, value in
                guard name.hasPrefix("refs/"), name.hasPrefix(prefix), case .direct(let id) = value else { return nil }
                return (name, id)
            }
        }
        return RefUpdateRules.sortedByName(matches)
    }

    /// Points the symbolic ref `name` at `target`, whatever `name` held before.
    public func setSymbolic(_ name: String, target: String) throws {
        try RefName.validate(name)
        try RefName.validate(target)
        try refs.withLock { state in
            if state.values[name] == nil { try Self.checkNameConflicts(name, in: state) }
            state.values[name] = .symbolic(target)
        }
        refChanges.post(name)
    }

    /// The reflog of `name`, oldest first.
    public func reflog(_ name: String) throws -> [ReflogEntry] {
        try RefName.validate(name)
        return refs.withLock { $0.logs[name] ?? [] }
    }

    private static func checkNameConflicts(_ name: String, in state: RefState) throws {
        if let existing = state.values.keys.first(where: { RefUpdateRules.namesConflict($0, name) }) {
            throw RefUpdateRules.nameConflict(name, existing: existing)
        }
    }

    // MARK: Maintenance (RecordMaintainedStore, MemoryBackend+Maintenance.swift)

    /// Every object with the time it was stored.
    package func storedObjectDates() -> [ObjectID: Date] {
        objects.withLock { $0.mapValues(\.added) }
    }

    /// The total size of the object bodies, in bytes.
    package func storedBodyBytes() -> UInt64 {
        objects.withLock { $0.values.reduce(0) { $0 + UInt64($1.object.body.count) } }
    }

    /// Removes the objects in `ids`; returns how many were there.
    package func removeObjects(_ ids: [ObjectID]) -> Int {
        objects.withLock { stored in ids.reduce(0) { $0 + (stored.removeValue(forKey: $1) == nil ? 0 : 1) } }
    }

    /// The names of the refs that have a reflog.
    package func refsWithReflogs() -> [String] {
        refs.withLock { $0.logs.keys.sorted() }
    }

    /// Replaces the entries `old` at the start of the reflog of `ref` with
    /// `kept`, leaving the entries appended since; false (and nothing
    /// changed) when the log no longer starts with `old`.
    package func replaceReflogPrefix(_ ref: String, old: [ReflogEntry], with kept: [ReflogEntry]) -> Bool {
        refs.withLock { state in
            guard let entries = state.logs[ref], entries.starts(with: old) else { return false }
            state.logs[ref] = kept + entries.dropFirst(old.count)
            return true
        }
    }
}
