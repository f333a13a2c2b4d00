/// A backend that records the commits of a shallow clone whose parents it
/// does not hold, as Git's `shallow` file does.
///
/// A capability, as go-git's `storer.ShallowStorer` is: a fetch with a
/// depth, upload-pack and the connectivity checks ask for it through
/// ``Repository/shallowCommits()``. A backend without it holds complete
/// histories only.
public protocol ShallowStore: AnyObject, Sendable {
    /// The shallow commits; empty for a complete history.
    func shallowCommits() throws -> Set<ObjectID>

    /// Replaces the shallow commits with `ids` (empty: the history is complete).
    func setShallowCommits(_ ids: Set<ObjectID>) throws
}

extension Repository {
    private var shallowStore: (any ShallowStore)? {
        (objects as? any ShallowStore) ?? (refs as? any ShallowStore)
    }

    /// The commits whose parents this repository lacks (a shallow clone's
    /// boundary); empty when its history is complete or its backends record none.
    public func shallowCommits() throws -> Set<ObjectID> {
        try shallowStore?.shallowCommits() ?? []
    }

    /// Records `ids` as the shallow commits. Throws `unsupported` for a
    /// non-empty set when neither backend is a ``ShallowStore``.
    public func setShallowCommits(_ ids: Set<ObjectID>) throws {
        guard let store = shallowStore else {
            guard ids.isEmpty else {
                throw BanyanError(.unsupported, "this repository's backends cannot hold a shallow history (no ShallowStore)")
            }
            return
        }
        try store.setShallowCommits(ids)
    }
}
