import Banyan

/// Brings a received pack into a repository: indexes it (verifying every
/// object's hash and the trailer), checks each object against Git's fsck
/// rules (`FsckRules`), and only then stores it.
///
/// The pack goes in through the store's `PackReceiver`: a filesystem
/// repository keeps it as it came, deltas and all (completed with the bases
/// of a thin pack, as `git index-pack --fix-thin` does), installed with its
/// index under `objects/pack`; a store that keeps objects gets them in one
/// batch. Nothing is installed when any step fails, so a truncated or
/// damaged pack leaves the repository as it was.
public enum PackIngest {
    /// What a pack brought.
    public struct Received: Sendable {
        /// The ids of the pack's objects, in pack order (not the bases a thin pack was completed with).
        public var ids: [ObjectID]
        /// The pack's size in bytes, as received.
        public var byteCount: Int
        /// What Git's fsck rules found that did not refuse an object (warnings).
        public var warnings: [FsckFinding] = []
        /// What the objects refer to, as checking them found it.
        var references = ReceivedReferences()
    }

    /// Indexes, verifies and stores `pack`; see the spool version.
    @discardableResult
    public static func ingest(
        _ pack: [UInt8], into repository: Repository, policy: FsckPolicy? = FsckPolicy(), maxObjectSize: Int = 1 << 30,
        promisor: Bool = false
    ) throws -> Received {
        let spool = try PackSpool(for: repository)
        try spool.append(pack)
        return try ingest(spool, into: repository, policy: policy, maxObjectSize: maxObjectSize, promisor: promisor)
    }

    /// Indexes, verifies and stores the pack in `spool`; REF_DELTA bases
    /// missing from the pack come from the repository (a thin pack).
    ///
    /// Each object is checked with Git's fsck rules under `policy` (nil:
    /// not checked, as with `fetch.fsckObjects` false; only what no policy
    /// lets pass is refused): an error refuses the pack, warnings come back
    /// in `Received.warnings`. `Repository.fsckPolicy(_:)` gives the policy
    /// the repository's config asks for.
    ///
    /// Cost: one indexing pass over the pack (mapped, not read into memory)
    /// that also checks each object as it is resolved, and records what it
    /// refers to for `checkConnected(tips:received:shallow:in:)`; then the
    /// store's receiver installs it (a filesystem repository links the
    /// spooled file into place without copying it). Throws `corruptObject` for a
    /// damaged or truncated pack or an object that fails Git's fsck rules,
    /// `limitExceeded` for an object over `maxObjectSize`.
    ///
    /// With `promisor`, a filesystem repository keeps the pack as a
    /// promisor pack (a `.promisor` file beside it), as a partial clone
    /// keeps what its promisor remote sent.
    @discardableResult
    package static func ingest(
        _ spool: PackSpool, into repository: Repository, policy: FsckPolicy? = FsckPolicy(), maxObjectSize: Int = 1 << 30,
        promisor: Bool = false
    ) throws -> Received {
        let algorithm = repository.hashAlgorithm
        let objects = repository.objects
        let lookup: @Sendable (ObjectID) throws -> RawObject? = { try objects.find($0) }
        let byteCount = spool.count
        let checks = ReceivedChecks(algorithm: algorithm, policy: policy ?? .unchecked)
        let indexed = try spool.bytes().withUnsafeBytes {
            try PackIndexer.index(pack: $0, algorithm: algorithm, maxObjectSize: maxObjectSize, baseLookup: lookup,
                                  inspect: { try checks.check($0, id: $1, base: $2) })
        }
        guard !indexed.entries.isEmpty else { return Received(ids: [], byteCount: byteCount) }
        let complete = try spool.completeThinPack(indexed, algorithm: algorithm, baseLookup: lookup)
        let index = try complete.indexBytes()
        // Blobs pass every fsck rule but those for `.gitattributes` and
        // `.gitmodules`, checked now that the pack is indexed (one stored
        // before was checked when it came).
        var references = checks.references
        var warnings = checks.warnings
        if !references.attributes.isEmpty || !references.gitmodules.isEmpty {
            let reader = try PackReader(pack: try spool.bytes(), index: try PackIndex(bytes: index, algorithm: algorithm),
                                        maxObjectSize: maxObjectSize)
            let policy = checks.policy
            for id in references.attributes.sorted() {
                if let blob = try reader.find(id) {
                    try received { try FsckRules.checkAttributes(blob, id: id, policy: policy) { warnings.append($0) } }
                }
            }
            for id in references.gitmodules.sorted() {
                if let blob = try reader.find(id) {
                    try received { try FsckRules.checkGitmodules(blob, id: id, policy: policy) { warnings.append($0) } }
                }
            }
        }
        references.received = Dictionary(indexed.entries.lazy.map { ($0.id, $0.kind) }) { first, _ in first }
        if promisor, let store = repository.objects as? FileSystemBackend { try store.markPromisorPack(complete.checksum) }
        try spool.receiver.install(index: index, checksum: complete.checksum)
        // Made last, once the index is written: a clone's largest arrays are not all alive at once.
        return Received(ids: indexed.entries.map(\.id), byteCount: byteCount, warnings: warnings, references: references)
    }

    /// Checks that every object reachable from `tips` is present, as
    /// `checkConnected(tips:received:shallow:in:)` with the ids does, but
    /// from the references `ingest` recorded: when each is satisfied, by a
    /// received object of the kind it requires or by one stored before, no
    /// object is read again. Otherwise the walk runs and names the problem
    /// (or finds that only objects the tips do not reach lack something).
    public static func checkConnected(
        tips: [ObjectID], received: Received, shallow: Set<ObjectID> = [], promised: Bool = false, in repository: Repository
    ) throws {
        if try received.references.areSatisfied(tips: tips, promised: promised, in: repository) { return }
        try checkConnected(tips: tips, received: Set(received.ids), shallow: shallow, promised: promised, in: repository)
    }

    /// Checks that every object reachable from `tips` is present, walking
    /// only through objects in `received` (objects stored before are taken
    /// to be complete, as Git's connectivity check does).
    ///
    /// The parents of `shallow` commits are not followed. With `promised`
    /// (a filtered fetch into a partial clone), trees and blobs may be
    /// missing: the promisor remote keeps them. Throws
    /// `objectNotFound` naming the first missing object, `corruptObject` for
    /// an object of another kind than its referrer requires (a commit whose
    /// tree is a blob) or one that fails Git's fsck rules.
    public static func checkConnected(
        tips: [ObjectID], received: Set<ObjectID>, shallow: Set<ObjectID> = [], promised: Bool = false, in repository: Repository
    ) throws {
        var seen = Set<ObjectID>()
        var stack: [(id: ObjectID, kind: ObjectKind?)] = tips.map { ($0, nil) }
        let algorithm = repository.hashAlgorithm
        while let (id, kind) = stack.popLast() {
            guard seen.insert(id).inserted else { continue }
            guard received.contains(id) else {
                guard try repository.objects.contains(id) else {
                    if promised, kind == .tree || kind == .blob { continue }
                    throw BanyanError(.objectNotFound, "object \(id) is referenced but was neither sent nor present")
                }
                continue
            }
            let raw = try repository.objects.get(id)
            if let kind, raw.kind != kind {
                throw BanyanError(.corruptObject, "object \(id) is a \(raw.kind) but is referenced as a \(kind)")
            }
            var links = try FsckRules.check(raw, id: id, algorithm: algorithm, policy: .unchecked)
            if raw.kind == .commit && shallow.contains(id) { links.removeAll { $0.kind == .commit } }
            stack += links.map { ($0.id, $0.kind) }
        }
    }

    /// Runs `check`, an fsck check of a received object (the single hook
    /// every received object passes), its errors saying the object was received.
    static func received<T>(_ check: () throws -> T) throws -> T {
        do {
            return try check()
        } catch let error as BanyanError {
            throw BanyanError(error.code, "received \(error.message)")
        }
    }
}
