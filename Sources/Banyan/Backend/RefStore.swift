/// What a ref holds: an object id, or the name of another ref (a symbolic ref such as `HEAD`).
public enum RefValue: Hashable, Sendable {
    /// A direct ref pointing at an object.
    case direct(ObjectID)
    /// A symbolic ref naming another ref, e.g. `refs/heads/main`.
    case symbolic(String)
}

/// What a compare-and-swap expects to find before it writes.
public enum RefExpectation: Hashable, Sendable {
    /// Write whatever the ref holds now.
    case any
    /// The ref must not exist.
    case absent
    /// The ref must point at exactly this id.
    case value(ObjectID)
}

/// One line of a ref's log: the move from `old` to `new`, who made it and why.
public struct ReflogEntry: Hashable, Sendable {
    /// The value before the update (the zero id for a creation).
    public var old: ObjectID
    /// The value after the update.
    public var new: ObjectID
    /// Who made the update, and when.
    public var committer: Signature
    /// Why, e.g. `commit: add notes`.
    public var message: String

    /// Creates a reflog entry.
    public init(old: ObjectID, new: ObjectID, committer: Signature, message: String) {
        self.old = old
        self.new = new
        self.committer = committer
        self.message = message
    }
}

/// Mutable names pointing at objects: branches (`refs/heads/*`), tags,
/// remote-tracking refs and the symbolic `HEAD`.
///
/// Every update is a compare-and-swap: a writer that raced another gets a
/// `staleRef` error, never a silently lost update. Names are full ref names
/// (`refs/heads/main`, `HEAD`), validated by `RefName`.
public protocol RefStore: AnyObject, Sendable {
    /// The value of `name`, not following symbolic refs; nil when absent.
    func find(_ name: String) throws -> RefValue?

    /// Sets `name` to `new` if it currently matches `expected`, and appends
    /// `log` to its reflog. Throws `staleRef` on a mismatch.
    ///
    /// Symbolic refs are not followed: the update applies to `name` itself.
    /// The logged entry keeps `log`'s committer and message but records the
    /// ids the update really moved between (the zero id for a creation).
    func compareAndSwap(_ name: String, expected: RefExpectation, new: ObjectID, log: ReflogEntry?) throws

    /// Deletes `name` if it currently matches `expected`. Throws `staleRef`
    /// on a mismatch and `refNotFound` when it does not exist.
    func delete(_ name: String, expected: RefExpectation) throws

    /// Every direct ref under `refs/` whose name starts with `prefix`, sorted by name bytes.
    func list(prefix: String) throws -> [(name: String, id: ObjectID)]

    /// Points the symbolic ref `name` (usually `HEAD`) at the ref `target`.
    func setSymbolic(_ name: String, target: String) throws

    /// The reflog of `name`, oldest first; empty when it has none.
    func reflog(_ name: String) throws -> [ReflogEntry]
}

extension RefStore {
    /// Follows symbolic refs from `name` to an object id; nil when the chain ends at a missing ref.
    public func resolve(_ name: String) throws -> ObjectID? {
        var current = name
        for _ in 0..<8 {
            switch try find(current) {
            case .none: return nil
            case .direct(let id): return id
            case .symbolic(let target): current = target
            }
        }
        throw BanyanError(.invalidRepository, "symbolic ref \(name) loops or nests more than 8 deep")
    }

    /// The ref `HEAD` names, if `HEAD` is symbolic.
    public func headTarget() throws -> String? {
        if case .symbolic(let target) = try find("HEAD") { return target }
        return nil
    }
}
