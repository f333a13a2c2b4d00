import Banyan

/// Git's fsck rules on each object of a received pack, run as `PackIndexer`
/// resolves it, so the pack is read once: trees are scanned, not decoded,
/// and a delta tree's entries that its base holds too are not recorded again.
struct ReceivedChecks {
    let algorithm: HashAlgorithm
    /// Whether to keep every object, for a store that takes them in a batch.
    let keepsObjects: Bool
    /// What the checked objects refer to.
    var references = ReceivedReferences()
    /// The objects, when `keepsObjects`.
    var objects: [RawObject] = []

    init(algorithm: HashAlgorithm, keepsObjects: Bool) {
        self.algorithm = algorithm
        self.keepsObjects = keepsObjects
    }

    /// Checks `object`, resolved from `base` when that is in the pack; throws
    /// `corruptObject` for an object that fails a rule.
    mutating func check(_ object: RawObject, id: ObjectID, base: RawObject?) throws {
        if keepsObjects { objects.append(object) }
        switch object.kind {
        case .blob:
            return
        case .tree:
            if let base {
                try base.body.withUnsafeBytes { try checkTree(object, id: id, base: $0) }
            } else {
                try checkTree(object, id: id, base: nil)
            }
        case .commit, .tag:
            for link in try PackIngest.received({ try FsckRules.check(object, id: id, algorithm: algorithm) }) {
                references.record(link)
            }
        }
    }

    private mutating func checkTree(_ tree: RawObject, id: ObjectID, base: UnsafeRawBufferPointer?) throws {
        try PackIngest.received {
            try tree.body.withUnsafeBytes { body in
                try FsckRules.checkTree(body, id: id, algorithm: algorithm, base: base) { references.record($0) }
            }
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
    /// The received objects and their kinds.
    var received: [ObjectID: ObjectKind] = [:]

    mutating func record(_ link: FsckRules.Link) {
        if let kind = links.updateValue(link.kind, forKey: link.id), kind != link.kind { conflicting = true }
        if link.isAttributes { attributes.insert(link.id) }
    }

    /// True when every reference and every tip is satisfied: by a received
    /// object of the kind required, or by an object stored before (taken to
    /// be complete, as Git's connectivity check does). False says nothing
    /// about the tips: only the walk knows whether they reach what is missing.
    func areSatisfied(tips: [ObjectID], in repository: Repository) throws -> Bool {
        guard !conflicting else { return false }
        for (id, kind) in links {
            if let found = received[id] {
                guard found == kind else { return false }
            } else {
                guard try repository.objects.contains(id) else { return false }
            }
        }
        for tip in tips where received[tip] == nil {
            guard try repository.objects.contains(tip) else { return false }
        }
        return true
    }
}
