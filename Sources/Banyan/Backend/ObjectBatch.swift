/// Objects staged for one write: each hashed once when added, deduplicated,
/// kept in order, with optional delta hints.
///
/// Commits, tree edits and merges build a batch and hand it to
/// `ObjectStore.write(_:)`, so a backend stores it in one go without hashing
/// every object a second time.
public struct ObjectBatch: Sendable {
    /// The hash function the ids are computed with.
    public let algorithm: HashAlgorithm
    /// The staged objects with their ids, in the order they were added.
    public private(set) var items: [(id: ObjectID, object: RawObject)] = []
    /// For some objects, an object they are a small edit of (a tree's
    /// previous version): a backend may store them as deltas against it.
    public private(set) var deltaBases: [ObjectID: ObjectID] = [:]
    /// For some objects with a delta base, the delta from it, known from how
    /// the object was made (a spliced tree), so a backend need not compute it.
    public private(set) var deltas: [ObjectID: [UInt8]] = [:]
    private var positions: [ObjectID: Int] = [:]

    /// An empty batch for ids of `algorithm`.
    public init(algorithm: HashAlgorithm) {
        self.algorithm = algorithm
    }

    /// A batch of `objects`.
    public init(_ objects: [RawObject], algorithm: HashAlgorithm) {
        self.init(algorithm: algorithm)
        for object in objects { add(object) }
    }

    /// Stages `object` (once) and returns its id.
    @discardableResult
    public mutating func add(_ object: RawObject) -> ObjectID {
        add(object, knownID: object.id(algorithm))
    }

    /// Stages `object` whose id the caller computed with `algorithm`.
    @discardableResult
    mutating func add(_ object: RawObject, knownID id: ObjectID) -> ObjectID {
        if positions[id] == nil {
            positions[id] = items.count
            items.append((id, object))
        }
        return id
    }

    /// Stages `object` as an edit of `base` and returns its id.
    @discardableResult
    public mutating func add(_ object: RawObject, editOf base: ObjectID) -> ObjectID {
        let id = add(object)
        if id != base { deltaBases[id] = base }
        return id
    }

    /// Stages `object`, an edit of `base` that `delta` (a Git delta) turns
    /// `base` into, and returns its id.
    @discardableResult
    public mutating func add(_ object: RawObject, editOf base: ObjectID, delta: [UInt8]) -> ObjectID {
        let id = add(object, editOf: base)
        if id != base { deltas[id] = delta }
        return id
    }

    /// The staged object `id`, if staged.
    public func object(_ id: ObjectID) -> RawObject? {
        positions[id].map { items[$0].object }
    }

    /// True when nothing is staged.
    public var isEmpty: Bool { items.isEmpty }
}
