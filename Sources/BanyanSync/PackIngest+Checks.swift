import Banyan
import Synchronization

/// Git's fsck rules on each object of a received pack, run as `PackIndexer`
/// resolves it, so the pack is read once: trees are scanned, not decoded,
/// and a delta tree's entries that its base holds too are not recorded again.
///
/// Thread-safe: indexing calls `check` from several threads; each checks
/// on its own and takes the lock only to record what it found.
final class ReceivedChecks: Sendable {
    let algorithm: HashAlgorithm
    /// Which findings refuse an object, which are only reported.
    let policy: FsckPolicy
    private let state = Mutex((references: ReceivedReferences(), warnings: [FsckFinding]()))

    init(algorithm: HashAlgorithm, policy: FsckPolicy) {
        self.algorithm = algorithm
        self.policy = policy
    }

    /// What the checked objects refer to.
    var references: ReceivedReferences { state.withLock { $0.references } }
    /// The findings that did not refuse their object.
    var warnings: [FsckFinding] { state.withLock { $0.warnings } }

    /// Checks `object`, resolved from `base` when that is in the pack; throws
    /// `corruptObject` for an object that fails a rule.
    func check(_ object: RawObject, id: ObjectID, base: RawObject?) throws {
        var links: [FsckRules.Link] = []
        var findings: [FsckFinding] = []
        let report = { (finding: FsckFinding) in findings.append(finding) }
        switch object.kind {
        case .blob:
            break
        case .tree:
            try PackIngest.received {
                try object.body.withUnsafeBytes { body in
                    let scan = { (base: UnsafeRawBufferPointer?) in
                        try FsckRules.checkTree(body, id: id, algorithm: self.algorithm, base: base, policy: self.policy,
                                               report: report) { links.append($0) }
                    }
                    if let base { try base.body.withUnsafeBytes { try scan($0) } } else { try scan(nil) }
                }
            }
        case .commit, .tag:
            links = try PackIngest.received { try FsckRules.check(object, id: id, algorithm: algorithm, policy: policy, report: report) }
        }
        guard !links.isEmpty || !findings.isEmpty else { return }
        state.withLock { state in
            state.warnings += findings
            for link in links { state.references.record(link) }
        }
    }
}

/// What the objects of a received pack refer to, recorded as they are
/// checked, for a connectivity check that reads no object again.
struct ReceivedReferences: Sendable {
    /// Every object a received object refers to, with the kind the reference requires.
    var links: [ObjectID: ObjectKind] = [:]
    /// True when two references to one object require different kinds.
    var conflicting = false
    /// The blobs a tree names `.gitattributes`.
    var attributes: Set<ObjectID> = []
    /// The blobs a tree names `.gitmodules`.
    var gitmodules: Set<ObjectID> = []
    /// The received objects and their kinds.
    var received: [ObjectID: ObjectKind] = [:]

    mutating func record(_ link: FsckRules.Link) {
        if let kind = links.updateValue(link.kind, forKey: link.id), kind != link.kind { conflicting = true }
        if link.isAttributes { attributes.insert(link.id) }
        if link.isGitmodules { gitmodules.insert(link.id) }
    }

    /// True when every reference and every tip is satisfied: by a received
    /// object of the kind required, or by an object stored before (taken to
    /// be complete, as Git's connectivity check does). False says nothing
    /// about the tips: only the walk knows whether they reach what is missing.
    /// With `promised`, a missing tree or blob satisfies its reference (a partial clone's promisor remote has it).
    func areSatisfied(tips: [ObjectID], promised: Bool = false, in repository: Repository) throws -> Bool {
        guard !conflicting else { return false }
        for (id, kind) in links {
            if let found = received[id] {
                guard found == kind else { return false }
            } else {
                guard try repository.objects.contains(id) || promised && (kind == .tree || kind == .blob) else { return false }
            }
        }
        for tip in tips where received[tip] == nil {
            guard try repository.objects.contains(tip) else { return false }
        }
        return true
    }
}
