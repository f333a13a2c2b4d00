/// A key a merge could not resolve: where, what kind of disagreement, and
/// the three versions involved.
///
/// Conflicts are values: a merge returns them instead of failing, and the
/// caller decides (see ``ConflictPolicy``).
public struct MergeConflict: Hashable, Sendable {
    /// What kind of disagreement.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// Both sides changed the value and its strategy could not combine the changes.
        case contentConflict
        /// Both sides added the key (absent in the base) with different values that do not combine.
        case addAdd
        /// Ours changed the value, theirs removed it.
        case modifyDelete
        /// Ours removed the value, theirs changed it.
        case deleteModify
        /// One side has a value at the key, the other a directory of keys under it.
        case fileDirectory
    }

    /// The key in conflict.
    public var key: Key
    /// The kind of disagreement.
    public var kind: Kind
    /// The base's object at `key` (blob or tree), nil when absent.
    public var base: ObjectID?
    /// Ours' object at `key`, nil when absent.
    public var ours: ObjectID?
    /// Theirs' object at `key`, nil when absent.
    public var theirs: ObjectID?
    /// The strategy that reported a content conflict (`text`, `json`, ...).
    public var strategy: String?
    /// Why the values do not combine, in words.
    public var detail: String?
    /// Where inside the value they disagree, e.g. JSON paths such as `$.a.b[2]`.
    public var locations: [String]

    /// Creates a conflict.
    public init(
        key: Key, kind: Kind, base: ObjectID? = nil, ours: ObjectID? = nil, theirs: ObjectID? = nil,
        strategy: String? = nil, detail: String? = nil, locations: [String] = []
    ) {
        self.key = key
        self.kind = kind
        self.base = base
        self.ours = ours
        self.theirs = theirs
        self.strategy = strategy
        self.detail = detail
        self.locations = locations
    }
}

/// How a resolver settles one conflict.
///
/// Choices are whole versions of the key: `.ours` keeps ours' value (or
/// directory, or absence) as it is, unlike `git merge -X ours`, which
/// favours ours hunk by hunk and still takes theirs' other changes.
public enum ConflictResolution: Hashable, Sendable {
    /// Keep ours' version of the key.
    case ours
    /// Keep theirs' version of the key.
    case theirs
    /// Keep the base's version of the key.
    case base
    /// Set the key to these bytes (replacing a directory there).
    case value([UInt8])
    /// Leave nothing at the key.
    case remove
}

/// What a merge does with conflicts its strategies could not resolve.
///
/// Not `Sendable`: a custom resolver may capture local state; merges run it
/// synchronously on the calling thread, once per conflict, in key order.
public enum ConflictPolicy {
    /// Resolve nothing: the merge reports its conflicts and writes nothing.
    case fail
    /// Keep ours' version of every conflicting key.
    case ours
    /// Keep theirs' version of every conflicting key.
    case theirs
    /// Ask `resolver` for each conflict; nil leaves it unresolved. An error
    /// it throws aborts the merge.
    case custom((MergeConflict) throws -> ConflictResolution?)
    /// Merge anyway, recording each conflict in the store's ``ConflictInbox``:
    /// the branch keeps the version of the side whose commit is newer
    /// (committer time; on a tie, the larger commit id), so every device
    /// that merges the same heads keeps the same value, until someone
    /// resolves the conflict. Only merges into a branch record; a merge of
    /// two commits alone (``Repository/mergeCommits(_:_:strategies:onConflict:labels:allowUnrelatedHistories:)``)
    /// refuses it.
    case record

    func resolve(_ conflict: MergeConflict) throws -> ConflictResolution? {
        switch self {
        case .fail, .record: nil
        case .ours: .ours
        case .theirs: .theirs
        case .custom(let resolver): try resolver(conflict)
        }
    }
}

/// The ``ConflictPolicy`` cases that need no code, as a `Sendable` value a
/// command-line flag or a long-running sync can hold.
public enum ConflictRule: String, Hashable, Sendable, CaseIterable {
    /// Leave the conflict: the merge reports it and writes nothing.
    case fail
    /// Keep ours' version of every conflicting key.
    case ours
    /// Keep theirs' version of every conflicting key.
    case theirs
    /// Merge, keeping the newer side's version, and record the conflict in
    /// the ``ConflictInbox`` (see ``ConflictPolicy/record``).
    case record

    /// The merge policy this rule stands for.
    public var policy: ConflictPolicy {
        switch self {
        case .fail: .fail
        case .ours: .ours
        case .theirs: .theirs
        case .record: .record
        }
    }
}

/// The result of merging two trees: the merged tree, or what stopped it.
public enum TreeMergeResult: Hashable, Sendable {
    /// Every key merged (or its conflict was resolved); the merged root tree, stored.
    case merged(ObjectID)
    /// These conflicts remain, sorted by key; nothing was stored.
    case conflicts([MergeConflict])
}

/// What `Repository.merge(from:into:...)` did to the target branch.
public enum MergeOutcome: Hashable, Sendable {
    /// The target already contained the source; nothing changed.
    case upToDate
    /// The target was behind the source and now points at it (no merge commit).
    case fastForward(ObjectID)
    /// A merge commit with the target and the source as parents; the target points at it.
    case merged(ObjectID)
    /// Conflicts remain, sorted by key; the target did not move and nothing was stored.
    case conflicts([MergeConflict])
    /// A merge commit like `.merged`, made with ``ConflictPolicy/record``:
    /// these conflicts, sorted by key, were settled provisionally and
    /// recorded in the ``ConflictInbox``.
    case recorded(ObjectID, [MergeConflict])
}

/// The names conflict markers carry (`<<<<<<< ours`, `>>>>>>> theirs`).
public struct MergeLabels: Hashable, Sendable {
    /// The label after `<<<<<<<`.
    public var ours: String
    /// The label after `>>>>>>>`.
    public var theirs: String

    /// Creates labels.
    public init(ours: String = "ours", theirs: String = "theirs") {
        self.ours = ours
        self.theirs = theirs
    }
}
